import Foundation
import Web

extension UUID {
    /// The lowercase text form the API uses (as Django does). Written here, byte by byte:
    /// Foundation's `uuidString` formats through `snprintf` per byte and
    /// is uppercase, so it needed a `lowercased()` copy as well; a page of conversations
    /// writes 160 of them.
    var apiString: String {
        withUnsafeBytes(of: uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { output in
                var out = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        output[out] = UInt8(ascii: "-")
                        out += 1
                    }
                    let byte = raw[index]
                    output[out] = Self.hexDigit(byte >> 4)
                    output[out + 1] = Self.hexDigit(byte & 0x0F)
                    out += 2
                }
                return 36
            }
        }
    }

    /// Parses the 36-character form (either case), as `UUID(uuidString:)` accepts it, without
    /// its `sscanf`.
    init?(apiString text: some StringProtocol) {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &bytes) { output -> Bool in
            var utf8 = text.utf8.makeIterator()
            var count = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    guard utf8.next() == UInt8(ascii: "-") else { return false }
                    count += 1
                }
                guard let high = utf8.next().flatMap(PercentDecoding.hexValue), let low = utf8.next().flatMap(PercentDecoding.hexValue) else { return false }
                output[index] = high << 4 | low
                count += 2
            }
            return utf8.next() == nil && count == 36
        }
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
