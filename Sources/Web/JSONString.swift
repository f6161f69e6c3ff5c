/// JSON string literals, escaped as Foundation's `JSONEncoder` escapes them: `"` and `\`
/// escaped, control characters as `\n`, `\t`… or `\u00XX`; everything else (`/` and non-ASCII
/// included) as is. The one escaper: ``JSONWriter`` writes strings with it, and JSON assembled
/// by hand (the status page) quotes with it.
package enum JSONString {
    /// Appends `string`, quoted and escaped.
    static func append(_ string: String, to bytes: inout ByteBuffer) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            let count = utf8.count
            var runStart = 0
            var index = 0
            while index < count {
                // Eight bytes at a time while none of them needs escaping: message bodies are
                // most of a page of messages, and almost none of their bytes do.
                while index &+ 8 <= count, !needsEscaping(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                    index &+= 8
                }
                guard index < count else { break }
                let byte = base[index]
                index &+= 1
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index - 1 { bytes.append(UnsafeBufferPointer(start: base + runStart, count: index - 1 - runStart)) }
                runStart = index
                switch byte {
                case UInt8(ascii: "\""): bytes.appendUTF8(#"\""#)
                case UInt8(ascii: "\\"): bytes.appendUTF8(#"\\"#)
                case 0x0A: bytes.appendUTF8(#"\n"#)
                case 0x0D: bytes.appendUTF8(#"\r"#)
                case 0x09: bytes.appendUTF8(#"\t"#)
                case 0x08: bytes.appendUTF8(#"\b"#)
                case 0x0C: bytes.appendUTF8(#"\f"#)
                default:
                    let hex: StaticString = "0123456789abcdef"
                    bytes.appendUTF8(#"\u00"#)
                    bytes.append(hex.utf8Start[Int(byte >> 4)])
                    bytes.append(hex.utf8Start[Int(byte & 0x0F)])
                }
            }
            if runStart < count { bytes.append(UnsafeBufferPointer(start: base + runStart, count: count - runStart)) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether any of the word's eight bytes is a control character, `"` or `\` (the
    /// "has a byte less than n" and "has a zero byte" bit tricks; exact, no false positives).
    @inline(__always)
    static func needsEscaping(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let quotes = (quote &- ones) & ~quote & highs
        let backslashes = (backslash &- ones) & ~backslash & highs
        return control | quotes | backslashes != 0
    }

    /// `string` quoted and escaped.
    package static func quoted(_ string: String) -> String {
        var bytes = ByteBuffer(capacity: string.utf8.count + 2)
        defer { bytes.deallocate() }
        append(string, to: &bytes)
        return String(decoding: UnsafeBufferPointer(start: bytes.base, count: bytes.count), as: UTF8.self)
    }
}
