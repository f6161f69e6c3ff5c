import Foundation
import Mustache

/// The Mustache templates, loaded and parsed once at start-up: a missing or malformed template
/// fails the start, not a request. Values are HTML-escaped by Mustache's `{{name}}`.
public struct TemplateLibrary: Sendable {
    private let library: MustacheLibrary
    public let names: Set<String>

    /// Loads every `*.mustache` under `directory`; a template's name is its relative path
    /// without the extension (`pages/inbox`).
    public init(directory: String = Resources.directory(named: "Templates", environmentKey: "PARLEY_TEMPLATES_DIR")) throws {
        ByteHTMLContentType.register()  // before parsing: templates may select it with a pragma
        let root = URL(fileURLWithPath: directory)
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw ConfigurationError("Template directory \(directory) cannot be read.")
        }
        var library = MustacheLibrary()
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
        self.library = library
        self.names = names
    }

    /// Checks that every template the application will use is present.
    public func require(_ required: [String]) throws {
        let missing = required.filter { !names.contains($0) }
        guard missing.isEmpty else { throw ConfigurationError("Missing templates: \(missing.sorted().joined(separator: ", "))") }
    }

    public func render(_ object: Any, template: String) -> String {
        guard let output = library.render(object, withTemplate: template) else {
            preconditionFailure("template \(template) was not loaded; TemplateLibrary.require should have caught it at start-up")
        }
        return output
    }
}
