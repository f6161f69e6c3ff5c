/// Named templates that can include each other (`{{> name}}`, `{{< name}}`), parsed once.
///
/// ```swift
/// var library = MustacheLibrary()
/// try library.register("<li>{{name}}</li>", named: "item")
/// try library.register("<ul>{{#items}}{{> item}}{{/items}}</ul>", named: "list")
/// try library.validate()
/// let html = library.render(.object(["items": .list([.object(["name": .string("a & b")])])]), template: "list")
/// ```
public struct MustacheLibrary: Sendable {
    private var templates: [String: MustacheTemplate] = [:]
    /// The output buffer's first capacity; rendering grows it as needed.
    public var initialCapacity = 4096

    public init() {}

    /// Parses `text` as the template `name` (replacing one of that name).
    public mutating func register(_ text: String, named name: String) throws(MustacheError) {
        templates[name] = try MustacheTemplate(text)
        link()
    }

    /// Points every partial tag at its template (``PartialLink``). Fresh links each time, so
    /// that a copy of the library made before this registration keeps its own.
    private mutating func link() {
        let links = templates.mapValues { _ in PartialLink() }
        func linked(_ nodes: [Node]) -> [Node] {
            nodes.map { node in
                switch node {
                case .partial(let partial): .partial(Partial(partial.name, indentation: partial.indentation, link: links[partial.name]))
                case .section(let section): .section(Section(section.path, linked(section.content)))
                case .inverted(let section): .inverted(Section(section.path, linked(section.content)))
                case .block(let name, let content): .block(name, linked(content))
                case .parent(let name, let overrides): .parent(name, overrides: overrides.mapValues(linked))
                case .text, .variable: node
                }
            }
        }
        for name in templates.keys {
            templates[name]!.nodes = linked(templates[name]!.nodes)
            links[name]!.nodes = templates[name]!.nodes
        }
    }

    /// Fails when a template names a partial or parent that is not in the library.
    public func validate() throws(MustacheError) {
        for (name, template) in templates.sorted(by: { $0.key < $1.key }) {
            let missing = template.references.subtracting(templates.keys).sorted()
            guard missing.isEmpty else {
                throw MustacheError(message: "template \(name) includes \(missing.joined(separator: ", ")), which does not exist", line: 0)
            }
        }
    }

    /// The template rendered with `value` as the context, as UTF-8 bytes; nil when there is no
    /// template of that name.
    public func render(_ value: MustacheValue, template name: String) -> [UInt8]? {
        guard let template = templates[name] else { return nil }
        var renderer = MustacheRenderer(templates: templates, capacity: initialCapacity)
        renderer.stack.append(value)
        renderer.render(template.nodes, blocks: [:])
        defer { renderer.output.deallocate() }
        return renderer.output.array
    }
}
