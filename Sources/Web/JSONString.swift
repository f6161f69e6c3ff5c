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
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { bytes.append(UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                runStart = index + 1
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
            if runStart < utf8.count { bytes.append(UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }
    bytes.append(UInt8(ascii: "\""))
    }

    /// `string` quoted and escaped.
    package static func quoted(_ string: String) -> String {
        var bytes = ByteBuffer(capacity: string.utf8.count + 2)
        defer { bytes.deallocate() }
        append(string, to: &bytes)
        return String(decoding: UnsafeBufferPointer(start: bytes.base, count: bytes.count), as: UTF8.self)
    }
}
