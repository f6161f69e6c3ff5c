import Mustache
import Testing

/// Cases from the Mustache specification (interpolation, sections, inverted, comments,
/// partials, inheritance) plus the swift-mustache behaviours the pages rely on (`{{.name}}`,
/// nil properties climbing the stack, reflection of plain structs).
@Suite("Mustache rendering")
struct MustacheRenderingTests {
    static func render(_ template: String, _ value: MustacheValue, partials: [String: String] = [:]) throws -> String {
        var library = MustacheLibrary()
        try library.register(template, named: "test")
        for (name, text) in partials { try library.register(text, named: name) }
        try library.validate()
        return String(decoding: try #require(library.render(value, template: "test")), as: UTF8.self)
    }

    /// One table row (MustacheValue holds non-Sendable objects; these rows are only read).
    struct Case: @unchecked Sendable, CustomTestStringConvertible {
        let template: String
        let data: [String: MustacheValue]
        let partials: [String: String]
        let expected: String
        var testDescription: String { template.debugDescription }
    }

    static func cases(_ rows: [(String, [String: MustacheValue], String)]) -> [Case] {
        rows.map { Case(template: $0.0, data: $0.1, partials: [:], expected: $0.2) }
    }

    static func cases(_ rows: [(String, [String: String], [String: MustacheValue], String)]) -> [Case] {
        rows.map { Case(template: $0.0, data: $0.2, partials: $0.1, expected: $0.3) }
    }

    static func object(_ entries: [String: MustacheValue]) -> MustacheValue { .object(entries) }

    @Test("interpolation", arguments: cases([
        ("Hello, world!", [:], "Hello, world!"),
        ("Hello, {{subject}}!", ["subject": .string("world")], "Hello, world!"),
        ("These characters should be HTML escaped: {{forbidden}}", ["forbidden": .string("& \" < > '")],
         "These characters should be HTML escaped: &amp; &quot; &lt; &gt; &#39;"),
        ("{{{forbidden}}} {{&forbidden}}", ["forbidden": .string("& \" < >")], "& \" < > & \" < >"),
        ("\"{{mph}} miles an hour!\"", ["mph": .int(85)], "\"85 miles an hour!\""),
        ("{{n}} {{b}} {{f}}", ["n": .int(-12), "b": .bool(true), "f": .bool(false)], "-12 true false"),
        ("I ({{cannot}}) be seen!", [:], "I () be seen!"),
        ("| {{ string }} |", ["string": .string("---")], "| --- |"),
        ("  {{string}}\n", ["string": .string("---")], "  ---\n"),
        ("{{a.b.c}} == {{#a}}{{b.c}}{{/a}}", ["a": .object(["b": .object(["c": .string("x")])])], "x == x"),
        ("{{a.b.c}}", ["a": .object([:])], ""),
        ("{{#a}}{{b.c}}{{/a}}", ["a": .object(["b": .object([:])]), "b": .object(["c": .string("ERROR")])], ""),
        ("café ✓ {{word}}", ["word": .string("フレームワーク")], "café ✓ フレームワーク"),
    ] as [(String, [String: MustacheValue], String)]))
    func interpolation(row: Case) throws {
        #expect(try Self.render(row.template, .object(row.data)) == row.expected)
    }

    @Test("sections", arguments: cases([
        ("\"{{#boolean}}This should be rendered.{{/boolean}}\"", ["boolean": .bool(true)], "\"This should be rendered.\""),
        ("\"{{#boolean}}This should not be rendered.{{/boolean}}\"", ["boolean": .bool(false)], "\"\""),
        ("\"{{#missing}}nope{{/missing}}\"", [:], "\"\""),
        ("\"{{#context}}Hi {{name}}.{{/context}}\"", ["context": .object(["name": .string("Joe")])], "\"Hi Joe.\""),
        ("\"{{#list}}{{item}}{{/list}}\"",
         ["list": .list([.object(["item": .int(1)]), .object(["item": .int(2)]), .object(["item": .int(3)])])], "\"123\""),
        ("\"{{#list}}Yay lists!{{/list}}\"", ["list": .list([])], "\"\""),
        ("\"{{#list}}({{.}}){{/list}}\"", ["list": .list([.string("a"), .string("b")])], "\"(a)(b)\""),
        ("{{#a}}{{one}}{{#b}}{{one}}{{two}}{{/b}}{{/a}}", ["a": .object(["one": .int(1)]), "b": .object(["two": .int(2)])], "112"),
        ("{{#a.b.c}}Here{{/a.b.c}}", ["a": .object(["b": .object(["c": .bool(true)])])], "Here"),
        ("{{#s}}[{{.}}]{{/s}}", ["s": .string("")], "[]"),
        // Standalone lines disappear with their tags; inline ones keep the text around them.
        ("| This Is\n{{#boolean}}\n|\n{{/boolean}}\n| A Line", ["boolean": .bool(true)], "| This Is\n|\n| A Line"),
        ("| This Is\n  {{#boolean}}\n|\n  {{/boolean}}\n| A Line", ["boolean": .bool(true)], "| This Is\n|\n| A Line"),
        (" | {{#boolean}}\t|\t{{/boolean}} | \n", ["boolean": .bool(true)], " | \t|\t | \n"),
        ("|\r\n{{#boolean}}\r\n{{/boolean}}\r\n|", ["boolean": .bool(true)], "|\r\n|"),
        ("  {{#boolean}}\n#{{/boolean}}\n/", ["boolean": .bool(true)], "#\n/"),
        ("#{{#boolean}}\n/\n  {{/boolean}}", ["boolean": .bool(true)], "#\n/\n"),
    ] as [(String, [String: MustacheValue], String)]))
    func sections(row: Case) throws {
        #expect(try Self.render(row.template, .object(row.data)) == row.expected)
    }

    @Test("inverted sections", arguments: cases([
        ("\"{{^boolean}}This should be rendered.{{/boolean}}\"", ["boolean": .bool(false)], "\"This should be rendered.\""),
        ("\"{{^boolean}}This should not be rendered.{{/boolean}}\"", ["boolean": .bool(true)], "\"\""),
        ("\"{{^context}}Hi {{name}}.{{/context}}\"", ["context": .object(["name": .string("Joe")])], "\"\""),
        ("\"{{^list}}Yay lists!{{/list}}\"", ["list": .list([])], "\"Yay lists!\""),
        ("\"{{^list}}{{n}}{{/list}}\"", ["list": .list([.int(1)])], "\"\""),
        ("[{{^missing}}Found key 'missing'!{{/missing}}]", [:], "[Found key 'missing'!]"),
        ("| This Is\n{{^boolean}}\n|\n{{/boolean}}\n| A Line", ["boolean": .bool(false)], "| This Is\n|\n| A Line"),
    ] as [(String, [String: MustacheValue], String)]))
    func inverted(row: Case) throws {
        #expect(try Self.render(row.template, .object(row.data)) == row.expected)
    }

    @Test("comments", arguments: [
        ("12345{{! Comment Block! }}67890", "1234567890"),
        ("12345{{!\n  This is a\n  multi-line comment...\n}}67890", "1234567890"),
        ("Begin.\n{{! Comment Block! }}\nEnd.", "Begin.\nEnd."),
        ("Begin.\n  {{! Indented Comment Block! }}\nEnd.", "Begin.\nEnd."),
        ("  12 {{! 34 }}\n", "  12 \n"),
    ])
    func comments(template: String, expected: String) throws {
        #expect(try Self.render(template, .object([:])) == expected)
    }

    @Test("partials", arguments: cases([
        ("\"{{>text}}\"", ["text": "from partial"], [:], "\"from partial\""),
        ("\"{{>partial}}\"", ["partial": "*{{text}}*"], ["text": .string("content")], "\"*content*\""),
        ("| {{>partial}} |", ["partial": "\t|\t"], [:], "| \t|\t |"),
        ("|\n{{>partial}}\n|", ["partial": ">\n>"], [:], "|\n>\n>|"),
        ("  {{>partial}}\n>", ["partial": ">\n>"], [:], "  >\n  >>"),
        ("\\\n {{>partial}}\n/\n", ["partial": "|\n{{{content}}}\n|\n"], ["content": .string("<\n->")], "\\\n |\n <\n->\n |\n/\n"),
        ("{{> partials/csrf }}", ["partials/csrf": "<input value=\"{{token}}\">"], ["token": .string("t&")], "<input value=\"t&amp;\">"),
    ] as [(String, [String: String], [String: MustacheValue], String)]))
    func partials(row: Case) throws {
        #expect(try Self.render(row.template, .object(row.data), partials: row.partials) == row.expected)
    }

    @Test("a recursive partial renders a tree")
    func recursivePartial() throws {
        let leaf = Self.object(["content": .string("leaf"), "children": .list([])])
        let tree = Self.object(["content": .string("root"), "children": .list([Self.object(["content": .string("node"), "children": .list([leaf])])])])
        let node = "{{content}}<{{#children}}{{>node}}{{/children}}>"
        #expect(try Self.render("{{>node}}", tree, partials: ["node": node]) == "root<node<leaf<>>>")
    }

    @Test("inheritance", arguments: [
        ("{{<parent}}{{/parent}}", ["parent": "{{$ballmer}}peaking{{/ballmer}}"], "peaking"),
        ("{{<parent}}{{$ballmer}}peaked{{/ballmer}}{{/parent}}", ["parent": "{{$ballmer}}peaking{{/ballmer}}"], "peaked"),
        ("{{<parent}}{{$a}}A{{/a}}{{/parent}}", ["parent": "<{{$a}}?{{/a}}|{{$b}}b{{/b}}>"], "<A|b>"),
        ("{{<parent}}{{$stuff}}{{name}}{{/stuff}}{{/parent}}", ["parent": "{{#sub}}[{{$stuff}}{{/stuff}}]{{/sub}}"], "[inner]"),
        ("{{<middle}}{{$b}}outer{{/b}}{{/middle}}", ["middle": "{{<base}}{{$b}}middle{{/b}}{{/base}}", "base": "({{$b}}base{{/b}})"], "(outer)"),
        ("{{<page}}\n{{$content}}\nBody\n{{/content}}\n{{/page}}\n", ["page": "<main>\n{{$content}}{{/content}}\n</main>\n"], "<main>\nBody\n\n</main>\n"),
    ])
    func inheritance(template: String, partials: [String: String], expected: String) throws {
        let data = Self.object(["name": .string("outer"), "sub": Self.object(["name": .string("inner")])])
        #expect(try Self.render(template, data, partials: partials) == expected)
    }

    @Test("{{.name}} reads only the top of the stack; {{name}} climbs it")
    func anchoredNames() throws {
        let data = Self.object(["sender": .string("outer"), "items": .list([Self.object(["id": .int(1)]), Self.object(["id": .int(2), "sender": .string("inner")])])])
        #expect(try Self.render("{{#items}}[{{.sender}}|{{sender}}]{{/items}}", data) == "[|outer][inner|inner]")
    }

    @Test("plain structs are read by reflection; nil properties climb the stack, as in swift-mustache")
    func reflection() throws {
        struct Field { let name: String; let value: String?; let errors: [String]; let hasErrors: Bool }
        struct Page { let title: String; let value: String; let count: Int32; let ratio: Double; let field: Field?; let missing: Field? }
        let page = Page(title: "<T>", value: "outer", count: 7, ratio: 0.5,
                        field: Field(name: "body", value: nil, errors: ["too long", "b&d"], hasErrors: true), missing: nil)
        let template = "{{title}} {{count}} {{ratio}}{{#field}} {{name}}={{value}}{{#hasErrors}}{{#errors}}/{{.}}{{/errors}}{{/hasErrors}}{{/field}}{{^missing}} none{{/missing}}"
        #expect(try Self.render(template, MustacheValue(reflecting: page)) == "&lt;T&gt; 7 0.5 body=outer/too long/b&amp;d none")
        let dictionary: [String: Any] = ["list": [1, 2], "name": "x", "nothing": Optional<String>.none as Any]
        #expect(try Self.render("{{name}}{{#list}}{{.}}{{/list}}[{{nothing}}]", MustacheValue(reflecting: dictionary)) == "x12[]")
    }

    @Test("refuses what does not parse, with the line", arguments: [
        ("{{#a}}\n{{/b}}", "line 2: {{/b}} does not close {{#a}} of line 1"),
        ("x\n{{#a}}", "line 2: {{#a}} is never closed"),
        ("{{/a}}", "line 1: {{/a}} closes nothing"),
        ("{{a", "line 1: tag opened with {{ is never closed"),
        ("{{}}", "line 1: empty tag {{}}"),
        ("{{a b}}", "line 1: \"a b\" is not a name (letters, digits, _ - . ? only)"),
        ("{{=<% %>=}}", "line 1: set delimiters ({{=…=}}) are not supported"),
        ("{{% CONTENT_TYPE: TEXT }}", "line 1: pragmas ({{%…}}) are not supported"),
        ("{{a..b}}", "line 1: \"a..b\" has an empty part"),
        ("{{<p}}{{x}}{{/p}}", "line 1: only blocks ({{$name}}) may appear inside {{<p}}"),
    ])
    func parseErrors(template: String, expected: String) {
        #expect(throws: MustacheError.self) { try MustacheTemplate(template) }
        do {
            _ = try MustacheTemplate(template)
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test("validate() names a partial that does not exist")
    func missingPartial() throws {
        var library = MustacheLibrary()
        try library.register("{{> nope}}", named: "page")
        #expect(throws: MustacheError.self) { try library.validate() }
        do { try library.validate() } catch { #expect(error.description == "template page includes nope, which does not exist") }
        #expect(library.render(.null, template: "other") == nil)
    }

    @Test("escaping a long value: entities at and across the 512-byte chunk edges, multi-byte text kept whole")
    func escapingLongValues() throws {
        let pieces = ["a", "&", "<", ">", "\"", "'", "é", "フ", "🎉", " ", "\n"]
        var text = ""
        var index = 0
        while text.utf8.count < 3_000 {
            text += pieces[index % pieces.count]
            index += 7  // walks every piece, in an order that puts different ones at the edges
        }
        for length in [0, 1, 511, 512, 513, 1_024, 1_025, text.count] {
            let value = String(text.prefix(length))
            var expected = ""
            for character in value {
                switch character {
                case "&": expected += "&amp;"
                case "<": expected += "&lt;"
                case ">": expected += "&gt;"
                case "\"": expected += "&quot;"
                case "'": expected += "&#39;"
                default: expected.append(character)
                }
            }
            #expect(try Self.render("[{{v}}]", .object(["v": .string(value)])) == "[\(expected)]", "length \(length)")
            #expect(try Self.render("[{{{v}}}]", .object(["v": .string(value)])) == "[\(value)]")
        }
    }
}
