/// Reads PostgreSQL's binary `numeric` (what `sum(bigint)`, `avg(…)` and `round(…)` return)
/// into its canonical text, from which `String`, `Double`, `Int` and `Decimal` are built.
enum PostgresNumeric {
    /// `numeric_send`: ndigits, weight, sign, dscale (int16 each), then base-10000 digits.
    static func text(_ bytes: UnsafeRawBufferPointer) throws -> String {
        let count = Int(try bytes.readBigEndian(Int16.self, at: 0))
        let weight = Int(try bytes.readBigEndian(Int16.self, at: 2))
        let sign = try bytes.readBigEndian(UInt16.self, at: 4)
        let scale = Int(try bytes.readBigEndian(Int16.self, at: 6))
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        case 0x0000, 0x4000: break
        default: throw PostgresDecodingFailure("unknown numeric sign 0x\(String(sign, radix: 16))")
        }
        guard count >= 0, bytes.count == 8 + 2 * count else { throw PostgresDecodingFailure("numeric is truncated") }
        let digit = { (index: Int) throws -> Int in
            index >= 0 && index < count ? Int(try bytes.readBigEndian(Int16.self, at: 8 + 2 * index)) : 0
        }
        var text = sign == 0x4000 ? "-" : ""
        if weight < 0 {
            text += "0"
        } else {
            for index in 0...weight {
                let group = String(try digit(index))
                text += index == 0 ? group : String(repeating: "0", count: 4 - group.count) + group
            }
        }
        if scale > 0 {
            var fraction = ""
            var index = weight + 1
            while fraction.count < scale {
                let group = String(try digit(index))
                fraction += String(repeating: "0", count: 4 - group.count) + group
                index += 1
            }
            text += "." + fraction.prefix(scale)
        }
        return text
    }

    /// An integer from a numeric with no fractional part (or only zeros there).
    static func integer(_ bytes: UnsafeRawBufferPointer) throws -> Int64 {
        let text = try self.text(bytes)
        let parts = text.split(separator: ".", maxSplits: 1)
        guard parts.count == 1 || parts[1].allSatisfy({ $0 == "0" }), let value = Int64(parts[0]) else {
            throw PostgresDecodingFailure("numeric \(text.count > 40 ? "value" : text) is not an integer that fits in Int64")
        }
        return value
    }
}
