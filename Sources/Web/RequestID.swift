/// Request ids: taken from a trusted front end's `X-Request-Id` when it is well formed
/// (letters, digits, `-`, `_`, `.`, at most 64 characters), otherwise generated: 16 random bytes in hex.
public enum RequestID {
    public static func make(from incoming: String?) -> String {
        if let incoming, isWellFormed(incoming) { return incoming }
        return generate()
    }

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return HexText.string(high: high, low: low)
    }

    static func isWellFormed(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64 && id.withUTF8Bytes { $0.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                true
            default:
                false
            }
        } }
    }
}
