import FoundationEssentials
import Web

extension UUID {
    /// The lowercase text form the API uses (as Django does), written byte by byte by Web's
    /// `UUIDText`: Foundation's `uuidString` formats through `snprintf` per byte and is
    /// uppercase, so it needed a `lowercased()` copy as well; a page of conversations writes 160.
    var apiString: String {
        String(unsafeUninitializedCapacity: UUIDText.length) { UUIDText.write(self, to: $0.baseAddress!) }
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
}
