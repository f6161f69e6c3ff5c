import FoundationEssentials
import Mustache

/// The Mustache templates, loaded and parsed once at start-up: a missing or malformed template,
/// or a partial that names one that does not exist, fails the start, not a request. Values are
/// HTML-escaped by Mustache's `{{name}}`.
public struct TemplateLibrary: Sendable {
    private let library: MustacheLibrary
    public let names: Set<String>

    /// Loads every `*.mustache` under `directory`; a template's name is its relative path
    /// without the extension (`pages/inbox`).
    public init(directory: ResourceDirectory = Resources.directory(named: "Templates", environmentKey: "PARLEY_TEMPLATES_DIR")) throws {
        var library = MustacheLibrary()
        guard let files = directory.files() else {
            throw ConfigurationError("Template directory \(directory) cannot be read.")
        }
        library.initialCapacity = 16 * 1024
        var names: Set<String> = []
        for file in files where file.hasSuffix(".mustache") {
            let name = String(file.dropLast(".mustache".count))
            guard let bytes = directory.contents(of: file), let text = String(data: Data(bytes), encoding: .utf8) else {
                throw ConfigurationError("Template \(name) cannot be read as UTF-8.")
            }
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
