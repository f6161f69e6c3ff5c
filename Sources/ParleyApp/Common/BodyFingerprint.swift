import Web

/// A 128-bit fingerprint of a response body, for ETags: the same in every process and on every
/// machine, and different, short of a one-in-2⁶⁴ accident, for two different bodies. Not a
/// MAC and not for anything an attacker must not forge (an ETag only decides whether a client
/// re-downloads its own answer).
///
/// Two lanes of wyhash's multiply-and-fold step over the body 16 bytes at a time: about one
/// instruction per byte, where the SipHash it replaced took four and was a tenth of a
/// conversation list's instructions (bench/README.md, "API requests: tokens, identifiers and
/// ETags").
enum BodyFingerprint {
    // wyhash's constants (odd, with balanced bits): any such would do, but they must never change,
    // or every client's ETag stops matching once.
    private static let p0: UInt64 = 0xa076_1d64_78bd_642f
    private static let p1: UInt64 = 0xe703_7ed1_a0b4_28db
    private static let p2: UInt64 = 0x8ebc_6af0_9c88_c6e3
    private static let p3: UInt64 = 0x5899_65cc_7537_4cc3

    /// The fingerprint as 32 lowercase hex digits.
    static func hex(_ body: [UInt8]) -> String {
        let (high, low) = body.withUnsafeBytes { digest($0) }
        return HexText.string(high: high, low: low)
    }

    static func digest(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        let count = bytes.count
        // The length seeds both lanes, so that the zero padding of the last block cannot make two
        // bodies of different lengths alike.
        var lane1 = p0 ^ UInt64(count)
        var lane2 = p1 ^ (UInt64(count) &* p3)
        var offset = 0
        if let base = bytes.baseAddress {
            while offset &+ 16 <= count {
                let a = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                let b = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self))
                lane1 = mix(a ^ p1, b ^ lane1)
                lane2 = mix(b ^ p2, a ^ lane2)
                offset &+= 16
            }
            if offset < count {
                var tail: (UInt64, UInt64) = (0, 0)
                withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.copyMemory(from: base + offset, byteCount: count &- offset) }
                let a = UInt64(littleEndian: tail.0), b = UInt64(littleEndian: tail.1)
                lane1 = mix(a ^ p1, b ^ lane1)
                lane2 = mix(b ^ p2, a ^ lane2)
            }
        }
        return (mix(lane1 ^ p2, lane2 ^ p0), mix(lane2 ^ p3, lane1 ^ p1))
    }

    /// The 128-bit product of `a` and `b`, its halves folded together.
    @inline(__always)
    private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }
}
