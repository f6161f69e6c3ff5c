import Foundation
import Mustache

/// The Mustache templates, loaded and parsed once at start-up: a missing or malformed template,
/// or a partial that names one that does not exist, fails the start, not a request. Values are
/// HTML-escaped by Mustache's `{{name}}`.
public struct TemplateLibrary: Sendable {
    private let library: MustacheLibrary
    public let names: Set<String>

    /// Loads every `*.mustache` under `directory`; a template's name is its relative path
    /// without the extension (`pages/inbox`).
    public init(directory: String = Resources.directory(named: "Templates", environmentKey: "PARLEY_TEMPLATES_DIR")) throws {
        let root = URL(fileURLWithPath: directory)
        var library = MustacheLibrary()
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw ConfigurationError("Template directory \(directory) cannot be read.")
        }
        library.initialCapacity = 16 * 1024
        var names: Set<String> = []
        for case let url as URL in enumerator where url.pathExtension == "mustache" {
            let relative = url.path.dropFirst(root.path.count).drop { $0 == "/" }
            let name = String(relative.dropLast(".mustache".count))
            let text = try String(contentsOf: url, encoding: .utf8)
            do {
                try library.register(text, named: name)
            } catch {
                throw ConfigurationError("Template \(name) does not parse: \(error)")
            }
            names.insert(name)
        }
        do {
            try library.validate()
        } catch {
            throw ConfigurationError("Templates in \(directory): \(error)")
        }
        self.library = library
        self.names = names
    }

    /// Checks that every template the application will use is present.
    public func require(_ required: [String]) throws {
        let missing = required.filter { !names.contains($0) }
        guard missing.isEmpty else { throw ConfigurationError("Missing templates: \(missing.sorted().joined(separator: ", "))") }
    }

    /// `template` rendered with `value` (a ``MustacheObject`` renders without reflection; any
    /// other value is read through `Mirror`), as UTF-8 bytes.
    public func render(_ value: MustacheValue, template: String) -> [UInt8] {
        guard let output = library.render(value, template: template) else {
            preconditionFailure("template \(template) was not loaded; TemplateLibrary.require should have caught it at start-up")
        }
        return output
    }
}
