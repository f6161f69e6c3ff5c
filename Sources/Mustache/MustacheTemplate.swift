/// A parsed template: a tree of nodes, rendered by ``MustacheLibrary``.
///
/// Supported: `{{name}}` (HTML-escaped), `{{{name}}}` and `{{&name}}` (raw), dotted names,
/// `{{.}}`, `{{.name}}` (only the top of the context stack, as in swift-mustache), sections
/// `{{#name}}…{{/name}}`, inverted sections `{{^name}}…{{/name}}`, comments `{{! … }}`,
/// partials `{{> name}}` (indented when standalone), and inheritance: `{{< parent}}` with
/// `{{$block}}…{{/block}}` overrides, blocks with defaults in the parent. Standalone tags take
/// their whole line with them, as the Mustache spec says. Not supported, and refused when
/// parsing: set delimiters, pragmas, lambdas and swift-mustache's transforms.
public struct MustacheTemplate: Sendable {
    var nodes: [Node]
    /// Partials and parents this template names (checked by ``MustacheLibrary/validate()``).
    let references: Set<String>

    public init(_ text: String) throws(MustacheError) {
        var parser = MustacheParser(Array(text.utf8))
        nodes = try parser.parse()
        references = parser.references
    }
}

/// A name in a tag. A class: the renderer hands it to every lookup, and as a struct it was
/// copied for each, a retain and a release of every name in it.
final class MustachePath: Sendable {
    enum Anchor: Sendable { case implicit, top, stack }
    /// `.implicit` for `{{.}}`; `.top` for `{{.name}}` (the top of the stack only); `.stack`
    /// for `{{name}}` (the first frame from the top that has `name`).
    let anchor: Anchor
    /// The first name (empty for `{{.}}`) and the names after it (`b`, `c` of `a.b.c`).
    let first: MustacheKey
    let rest: [MustacheKey]

    init(anchor: Anchor, first: MustacheKey, rest: [MustacheKey]) {
        self.anchor = anchor
        self.first = first
        self.rest = rest
    }
}

/// What a template is made of. The cases the renderer visits most hold few references (a path,
/// a class, the text's array): every render copies the node it is on, a retain and a release per
/// reference (bench/README.md, "The template renderer's lookups").
enum Node: Sendable {
    case text([UInt8])
    case variable(MustachePath, escaped: Bool)
    case section(Section)
    case inverted(Section)
    case partial(Partial)
    case parent(String, overrides: [String: [Node]])
    case block(String, [Node])
}

/// `{{#name}}…{{/name}}` or `{{^name}}…{{/name}}`.
final class Section: Sendable {
    let path: MustachePath
    let content: [Node]

    init(_ path: MustachePath, _ content: [Node]) {
        self.path = path
        self.content = content
    }
}

/// `{{> name}}`. `link` is the partial's template once the library has linked it (nil until then).
final class Partial: Sendable {
    let name: String
    let indentation: [UInt8]
    let link: PartialLink?

    init(_ name: String, indentation: [UInt8], link: PartialLink?) {
        self.name = name
        self.indentation = indentation
        self.link = link
    }
}

/// Why a template does not parse, with the line it was found on.
public struct MustacheError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let line: Int

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

/// A partial tag's template, found once when the library is built instead of by name on every
/// render: a page's partials were a dictionary lookup each, per message (bench/README.md, "Pages
/// and templates"). A class so that a partial may include itself.
final class PartialLink: @unchecked Sendable {
    // Written only while ``MustacheLibrary/register(_:named:)`` links the library; read-only once
    // the library is shared.
    var nodes: [Node] = []
}
