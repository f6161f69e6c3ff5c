import FoundationEssentials

/// Base64 with the URL-safe alphabet and no padding (RFC 4648 §5), as JWTs use. Byte by byte:
/// Foundation's Base64 plus three `replacingOccurrences` showed in the profiles, and every
/// API request decodes three parts of its JWT.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        let length = (input.count * 4 + 2) / 3
        return String(unsafeUninitializedCapacity: length) { output in
            alphabet.withUnsafeBufferPointer { alphabet in
                var out = 0
                var index = 0
                while index + 3 <= input.count {
                    let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                    output[out] = alphabet[Int(chunk >> 18 & 63)]
                    output[out + 1] = alphabet[Int(chunk >> 12 & 63)]
                    output[out + 2] = alphabet[Int(chunk >> 6 & 63)]
                    output[out + 3] = alphabet[Int(chunk & 63)]
                    out += 4
                    index += 3
                }
                let rest = input.count - index
                if rest > 0 {
                    let chunk = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
                    output[out] = alphabet[Int(chunk >> 18 & 63)]
                    output[out + 1] = alphabet[Int(chunk >> 12 & 63)]
                    if rest == 2 { output[out + 2] = alphabet[Int(chunk >> 6 & 63)] }
                }
            }
            return length
        }
    }

    /// nil for anything outside the URL-safe alphabet (padding included) or a length no
    /// encoding has.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(bytes: ArraySlice(text.utf8))
    }

    /// Each byte's value in the URL-safe alphabet; 0xFF (high bit set) for any other byte.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// The same, from the text's UTF-8 bytes (a JWT's parts, sliced without copies). Four
    /// characters to three bytes at a time through a table, written in place: a `switch` and an
    /// `Array.append` per character showed in every API request's profile (bench/README.md,
    /// "API requests").
    public static func decode(bytes input: ArraySlice<UInt8>) -> [UInt8]? {
        let count = input.count
        let rest = count % 4
        guard rest != 1 else { return nil }
        let length = count / 4 * 3 + (rest == 0 ? 0 : rest - 1)
        var invalid: UInt8 = 0
        let output = input.withUnsafeBufferPointer { source in
            values.withUnsafeBufferPointer { table in
                [UInt8](unsafeUninitializedCapacity: length) { out, initialized in
                    @inline(__always) func value(_ index: Int) -> UInt32 {
                        let value = table[Int(source[index])]
                        invalid |= value
                        return UInt32(value)
                    }
                    var index = 0
                    var at = 0
                    while index + 4 <= count {
                        let chunk = value(index) << 18 | value(index + 1) << 12 | value(index + 2) << 6 | value(index + 3)
                        out[at] = UInt8(truncatingIfNeeded: chunk >> 16)
                        out[at + 1] = UInt8(truncatingIfNeeded: chunk >> 8)
                        out[at + 2] = UInt8(truncatingIfNeeded: chunk)
                        index += 4
                        at += 3
                    }
                    if rest >= 2 {
                        let chunk = value(index) << 18 | value(index + 1) << 12 | (rest == 3 ? value(index + 2) << 6 : 0)
                        out[at] = UInt8(truncatingIfNeeded: chunk >> 16)
                        at += 1
                        if rest == 3 {
                            out[at] = UInt8(truncatingIfNeeded: chunk >> 8)
                            at += 1
                        }
                        // Leftover bits must be zero (one encoding per value, as Foundation's
                        // decoder requires): the last character's low 4 or 2 bits.
                        if chunk & (rest == 2 ? 0xF000 : 0xC0) != 0 { invalid |= 0x80 }
                    }
                    initialized = at
                }
            }
        }
        return invalid & 0x80 == 0 ? output : nil
    }
}
