/// 128 bits as 32 lowercase hex digits (request ids, ETags), written straight into the
/// String's storage.
package enum HexText {
    package static func string(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 32) { text in
            write(high, to: text, at: 0)
            write(low, to: text, at: 16)
            return 32
        }
    }

    private static func write(_ value: UInt64, to text: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        let digits: StaticString = "0123456789abcdef"
        for index in 0..<16 {
            text[start + index] = digits.utf8Start[Int((value >> UInt64(60 - 4 * index)) & 0xF)]
        }
    }
}
