/// Turns template text into ``Node``s in three passes over UTF-8 bytes: tokens (text split at
/// tags and after each newline), standalone lines (a line holding only whitespace and one
/// section, comment, partial, parent or block tag disappears whole; a partial keeps the
/// whitespace as its indentation), then the tree.
struct MustacheParser {
    private enum Kind: Equatable {
        case variable, raw, section, inverted, close, comment, partial, parent, block

        var canStandAlone: Bool {
            switch self {
            case .variable, .raw: false
            default: true
            }
        }
    }

    private enum Token {
        case text([UInt8])
        case tag(Kind, String, line: Int, indentation: [UInt8])
    }

    private let bytes: [UInt8]
    private var tokens: [Token] = []
    private var position = 0
    private(set) var references: Set<String> = []

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parse() throws(MustacheError) -> [Node] {
        try tokenize()
        removeStandaloneLines()
        position = 0
        return try nodes(closing: nil)
    }

    // MARK: - Tokens

    private mutating func tokenize() throws(MustacheError) {
        var index = 0
        var textStart = 0
        var line = 1
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                tokens.append(.text(Array(bytes[textStart...index])))
                index += 1
                textStart = index
                line += 1
                continue
            }
            guard byte == UInt8(ascii: "{"), index + 1 < count, bytes[index + 1] == UInt8(ascii: "{") else {
                index += 1
                continue
            }
            if textStart < index { tokens.append(.text(Array(bytes[textStart..<index]))) }
            let triple = index + 2 < count && bytes[index + 2] == UInt8(ascii: "{")
            let contentStart = index + (triple ? 3 : 2)
            let closing: [UInt8] = triple ? Array("}}}".utf8) : Array("}}".utf8)
            guard let contentEnd = find(closing, from: contentStart) else {
                throw MustacheError(message: "tag opened with \(triple ? "{{{" : "{{") is never closed", line: line)
            }
            let content = bytes[contentStart..<contentEnd]
            let tagLine = line
            line += content.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            let (kind, name) = try tag(content, triple: triple, line: tagLine)
            tokens.append(.tag(kind, name, line: tagLine, indentation: []))
            index = contentEnd + closing.count
            textStart = index
        }
        if textStart < count { tokens.append(.text(Array(bytes[textStart..<count]))) }
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0], bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    private func tag(_ content: ArraySlice<UInt8>, triple: Bool, line: Int) throws(MustacheError) -> (Kind, String) {
        if triple { return (.raw, try name(content, line: line)) }
        guard let sigil = content.first else { throw MustacheError(message: "empty tag {{}}", line: line) }
        let rest = content.dropFirst()
        switch sigil {
        case UInt8(ascii: "!"): return (.comment, "")
        case UInt8(ascii: "#"): return (.section, try name(rest, line: line))
        case UInt8(ascii: "^"): return (.inverted, try name(rest, line: line))
        case UInt8(ascii: "/"): return (.close, try name(rest, line: line, allowingSlash: true))
        case UInt8(ascii: "&"): return (.raw, try name(rest, line: line))
        case UInt8(ascii: ">"): return (.partial, try name(rest, line: line, allowingSlash: true))
        case UInt8(ascii: "<"): return (.parent, try name(rest, line: line, allowingSlash: true))
        case UInt8(ascii: "$"): return (.block, try name(rest, line: line))
        case UInt8(ascii: "="): throw MustacheError(message: "set delimiters ({{=…=}}) are not supported", line: line)
        case UInt8(ascii: "%"): throw MustacheError(message: "pragmas ({{%…}}) are not supported", line: line)
        default: return (.variable, try name(content, line: line))
        }
    }

    private func name(_ raw: ArraySlice<UInt8>, line: Int, allowingSlash: Bool = false) throws(MustacheError) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let trimmed = raw.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        let text = String(decoding: trimmed, as: UTF8.self)
        guard !trimmed.isEmpty else { throw MustacheError(message: "a tag needs a name", line: line) }
        for byte in trimmed {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "?"):
                continue
            case UInt8(ascii: "/") where allowingSlash:
                continue
            default:
                throw MustacheError(message: "\"\(text)\" is not a name (letters, digits, _ - . ? only)", line: line)
            }
        }
        return text
    }

    // MARK: - Standalone lines

    /// Per line (tokens up to and including a text ending in a newline): when the texts are
    /// only spaces and tabs and there is exactly one tag that can stand alone, the texts go.
    private mutating func removeStandaloneLines() {
        var result: [Token] = []
        result.reserveCapacity(tokens.count)
        var lineStart = 0
        var index = 0
        while index < tokens.count {
            var end = index
            while end < tokens.count {
                if case .text(let text) = tokens[end], text.last == UInt8(ascii: "\n") { break }
                end += 1
            }
            let lineEnd = min(end, tokens.count - 1)  // inclusive
            appendLine(tokens[lineStart...lineEnd], to: &result)
            index = lineEnd + 1
            lineStart = index
        }
        tokens = result
    }

    private func appendLine(_ line: ArraySlice<Token>, to result: inout [Token]) {
        var tagIndex: Int?
        for index in line.indices {
            switch line[index] {
            case .text(let text):
                guard text.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) else {
                    result.append(contentsOf: line)
                    return
                }
            case .tag(let kind, _, _, _):
                guard tagIndex == nil, kind.canStandAlone else {
                    result.append(contentsOf: line)
                    return
                }
                tagIndex = index
            }
        }
        guard let tagIndex, case .tag(let kind, let name, let tagLine, _) = line[tagIndex] else {
            result.append(contentsOf: line)
            return
        }
        var indentation: [UInt8] = []
        if tagIndex > line.startIndex, case .text(let text) = line[line.startIndex] { indentation = text }
        result.append(.tag(kind, name, line: tagLine, indentation: kind == .partial ? indentation : []))
    }

    // MARK: - Tree

    private mutating func nodes(closing: (name: String, line: Int)?) throws(MustacheError) -> [Node] {
        var nodes: [Node] = []
        while position < tokens.count {
            let token = tokens[position]
            position += 1
            switch token {
            case .text(let text):
                if case .text(let previous) = nodes.last {
                    nodes[nodes.count - 1] = .text(previous + text)
                } else {
                    nodes.append(.text(text))
                }
            case .tag(let kind, let name, let line, let indentation):
                switch kind {
                case .comment:
                    continue
                case .variable, .raw:
                    nodes.append(.variable(try path(name, line: line), escaped: kind == .variable))
                case .section:
                    nodes.append(.section(Section(try path(name, line: line), try self.nodes(closing: (name, line)))))
                case .inverted:
                    nodes.append(.inverted(Section(try path(name, line: line), try self.nodes(closing: (name, line)))))
                case .block:
                    nodes.append(.block(name, try self.nodes(closing: (name, line))))
                case .partial:
                    references.insert(name)
                    nodes.append(.partial(Partial(name, indentation: indentation, link: nil)))
                case .parent:
                    references.insert(name)
                    nodes.append(.parent(name, overrides: try overrides(try self.nodes(closing: (name, line)), parent: name, line: line)))
                case .close:
                    guard let closing else { throw MustacheError(message: "{{/\(name)}} closes nothing", line: line) }
                    guard closing.name == name else {
                        throw MustacheError(message: "{{/\(name)}} does not close {{#\(closing.name)}} of line \(closing.line)", line: line)
                    }
                    return nodes
                }
            }
        }
        if let closing { throw MustacheError(message: "{{#\(closing.name)}} is never closed", line: closing.line) }
        return nodes
    }

    /// A parent tag's content: its blocks override the parent's; text between them is ignored.
    private func overrides(_ nodes: [Node], parent: String, line: Int) throws(MustacheError) -> [String: [Node]] {
        var overrides: [String: [Node]] = [:]
        for node in nodes {
            switch node {
            case .block(let name, let content): overrides[name] = content
            case .text: continue
            default: throw MustacheError(message: "only blocks ({{$name}}) may appear inside {{<\(parent)}}", line: line)
            }
        }
        return overrides
    }

    private func path(_ name: String, line: Int) throws(MustacheError) -> MustachePath {
        if name == "." { return MustachePath(anchor: .implicit, first: MustacheKey(""), rest: []) }
        let anchored = name.hasPrefix(".")
        let names = (anchored ? name.dropFirst() : Substring(name)).split(separator: ".", omittingEmptySubsequences: false).map { MustacheKey(String($0)) }
        guard !names.contains(where: \.name.isEmpty) else { throw MustacheError(message: "\"\(name)\" has an empty part", line: line) }
        return MustachePath(anchor: anchored ? .top : .stack, first: names[0], rest: Array(names.dropFirst()))
    }
}
