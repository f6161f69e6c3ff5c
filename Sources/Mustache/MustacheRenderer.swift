import Bytes

/// One rendering: the output bytes and the context stack, both grown in place (a section
/// pushes and pops; nothing is copied per frame). The output is a ``ByteBuffer``, which the
/// caller takes out and frees once (``MustacheLibrary/render(_:template:)``): appending to an
/// Array checked its uniqueness and capacity in a generic path for every piece of text.
struct MustacheRenderer {
    let templates: [String: MustacheTemplate]
    var output: ByteBuffer
    var stack: [MustacheValue] = []
    /// Inside a standalone partial that was indented: the indentation, written before each of
    /// the partial's lines (not before lines inside interpolated values, as the spec says).
    private var indentation: [UInt8] = []
    private var atLineStart = false

    init(templates: [String: MustacheTemplate], capacity: Int) {
        self.templates = templates
        output = ByteBuffer(capacity: capacity)
        stack.reserveCapacity(8)
    }

    /// Renders `nodes`; `blocks` are the overrides of the parents being expanded (the
    /// outermost parent's override of a block wins).
    mutating func render(_ nodes: [Node], blocks: [String: [Node]]) {
        // By index, not `for node in nodes`: that copied each node, a retain and a release of
        // its payload per node per render (bench/README.md, "Pages and templates").
        for index in nodes.indices {
            switch nodes[index] {
            case .text(let text):
                if indentation.isEmpty { output.append(text) } else { appendIndented(text) }
            case .variable(let path, let escaped):
                write(lookup(path), escaped: escaped)
            case .section(let section):
                switch lookup(section.path) {
                case .null, .bool(false):
                    continue
                case .bool(true):
                    render(section.content, blocks: blocks)
                case .list(let elements):
                    for element in elements {
                        stack.append(element)
                        render(section.content, blocks: blocks)
                        stack.removeLast()
                    }
                case let value:
                    stack.append(value)
                    render(section.content, blocks: blocks)
                    stack.removeLast()
                }
            case .inverted(let section):
                switch lookup(section.path) {
                case .null, .bool(false): render(section.content, blocks: blocks)
                case .list(let elements) where elements.isEmpty: render(section.content, blocks: blocks)
                default: continue
                }
            case .partial(let partial):
                // No link: no template of that name, which MustacheLibrary.validate() refuses at load.
                guard let nodes = partial.link?.nodes else { continue }
                if partial.indentation.isEmpty {
                    render(nodes, blocks: blocks)
                } else {
                    let outer = (indentation, atLineStart)
                    indentation += partial.indentation
                    atLineStart = true
                    render(nodes, blocks: blocks)
                    (indentation, atLineStart) = outer
                }
            case .parent(let name, let overrides):
                guard let template = templates[name] else { continue }
                render(template.nodes, blocks: blocks.merging(overrides) { outer, _ in outer })
            case .block(let name, let defaults):
                render(blocks[name] ?? defaults, blocks: blocks)
            }
        }
    }

    /// `{{.}}` is the top of the stack; `{{.a.b}}` starts there; `{{a.b}}` starts at the first
    /// frame from the top that has `a`. A missing name is ``MustacheValue/null``.
    private func lookup(_ path: MustachePath) -> MustacheValue {
        var value: MustacheValue
        switch path.anchor {
        case .implicit:
            return stack.last ?? .null
        case .top:
            // Asked of the frame in place: a copy of it (`stack.last`) would retain and release
            // its object on every lookup.
            let found: MustacheValue? = stack.withUnsafeBufferPointer { frames in
                frames.isEmpty ? nil : frames[frames.count - 1].child(named: path.first)
            }
            guard let found else { return .null }
            value = found
        case .stack:
            // Through the buffer: no array bounds checks or retains per frame, on every
            // lookup of every render, and each frame asked in place, not copied out.
            let found: MustacheValue? = stack.withUnsafeBufferPointer { frames in
                var index = frames.count - 1
                while index >= 0 {
                    if let child = frames[index].child(named: path.first) { return child }
                    index -= 1
                }
                return nil
            }
            guard let found else { return .null }
            value = found
        }
        for name in path.rest {
            guard let child = value.child(named: name) else { return .null }
            value = child
        }
        return value
    }

    private mutating func write(_ value: MustacheValue, escaped: Bool) {
        if atLineStart, !indentation.isEmpty {
            switch value {
            case .null, .list: break
            case .object(let reference) where reference.object.mustacheText == nil: break
            default:
                output.append(indentation)
                atLineStart = false
            }
        }
        switch value {
        case .null, .list:
            return
        case .bool(let bool):
            output.appendLiteral(bool ? "true" : "false")
        case .int(let int):
            appendDecimal(int)
        case .string(let string):
            escaped ? appendEscaped(string) : output.appendUTF8(string)
        case .object(let reference):
            guard let text = reference.object.mustacheText else { return }
            escaped ? appendEscaped(text) : output.appendUTF8(text)
        }
    }

    private mutating func appendDecimal(_ int: Int) {
        if int > 0 { output.appendDecimal(int) } else { output.appendUTF8(String(int)) }
    }

    /// HTML escaping as swift-mustache does it: `& < > " '` become `&amp; &lt; &gt; &quot; &#39;`.
    /// Runs without those bytes are copied whole.
    private mutating func appendEscaped(_ string: String) {
        if string.utf8.withContiguousStorageIfAvailable({ appendEscaped($0) }) == nil {
            var copy = string
            copy.withUTF8 { appendEscaped($0) }
        }
    }

    /// Escaped straight into the output, up to 512 source bytes at a time (room for six output
    /// bytes each is reserved per chunk, not for the whole value at once): an append per run of
    /// plain bytes and per entity was the cost of a fortunes row (bench/README.md, "TechEmpower routes").
    private mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let length = min(bytes.count - offset, 512)
            output.write(maximum: length * 6) { Self.escape(source + offset, count: length, into: $0) }
            offset += length
        }
    }

    /// Writes `count` bytes from `source` to `out` escaped (room for 6 bytes each); returns the
    /// length written. Eight bytes at a time while none of them needs escaping, as most text does
    /// not (bench/README.md, "TechEmpower routes").
    private static func escape(_ source: UnsafePointer<UInt8>, count: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var at = 0
        var index = 0
        while index + 8 <= count {
            let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
            if !hasSpecialByte(word) {
                UnsafeMutableRawPointer(out + at).storeBytes(of: word, as: UInt64.self)
                at &+= 8
            } else {
                for offset in 0..<8 { at = escapeByte(source[index + offset], into: out, at: at) }
            }
            index &+= 8
        }
        while index < count {
            at = escapeByte(source[index], into: out, at: at)
            index &+= 1
        }
        return at
    }

    /// Whether any byte of `word` is `& < > " '` (the zero-byte test on `word` xor each of them).
    @inline(__always)
    private static func hasSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        @inline(__always) func zeroBytes(_ special: UInt8) -> UInt64 {
            let x = word ^ (ones &* UInt64(special))
            return (x &- ones) & ~x
        }
        let found = zeroBytes(UInt8(ascii: "&")) | zeroBytes(UInt8(ascii: "<")) | zeroBytes(UInt8(ascii: ">"))
            | zeroBytes(UInt8(ascii: "\"")) | zeroBytes(UInt8(ascii: "'"))
        return found & 0x8080_8080_8080_8080 != 0
    }

    @inline(__always)
    private static func escapeByte(_ byte: UInt8, into out: UnsafeMutablePointer<UInt8>, at: Int) -> Int {
        let entity: StaticString
        switch byte {
        case UInt8(ascii: "&"): entity = "&amp;"
        case UInt8(ascii: "<"): entity = "&lt;"
        case UInt8(ascii: ">"): entity = "&gt;"
        case UInt8(ascii: "\""): entity = "&quot;"
        case UInt8(ascii: "'"): entity = "&#39;"
        default:
            out[at] = byte
            return at &+ 1
        }
        (out + at).initialize(from: entity.utf8Start, count: entity.utf8CodeUnitCount)
        return at &+ entity.utf8CodeUnitCount
    }

    /// Template text inside an indented partial: the indentation goes before each line.
    private mutating func appendIndented(_ text: [UInt8]) {
        var lineStart = 0
        while lineStart < text.count {
            let newline = text[lineStart...].firstIndex(of: UInt8(ascii: "\n"))
            let lineEnd = newline.map { $0 + 1 } ?? text.count
            if atLineStart { output.append(indentation) }
            text.withUnsafeBufferPointer { output.append(UnsafeBufferPointer(rebasing: $0[lineStart..<lineEnd])) }
            atLineStart = newline != nil
            lineStart = lineEnd
        }
    }
}
