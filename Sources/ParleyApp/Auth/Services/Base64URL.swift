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

    /// The same, from the text's UTF-8 bytes (a JWT's parts, sliced without copies).
    public static func decode(bytes input: ArraySlice<UInt8>) -> [UInt8]? {
        guard input.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var chunk: UInt32 = 0
        var bits = 0
        for byte in input {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: return nil
            }
            chunk = chunk << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: chunk >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero (one encoding per value, as Foundation's decoder requires).
        guard chunk & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }
}
