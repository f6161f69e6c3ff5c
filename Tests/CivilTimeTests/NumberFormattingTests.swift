import CivilTime
import Foundation
import Testing

/// The number formatting that replaced `String(format:)` writes the same text.
@Suite("Numbers as String(format:) wrote them")
struct NumberFormattingTests {
    @Test("zero-padded integers (%02d, %04d)", arguments: [0, 1, 9, 10, 59, 99, 100, 999, 1000, 2026, 12345, -1, -5, -42, -1234])
    func zeroPadded(_ value: Int) {
        #expect(String(value, zeroPaddedTo: 2) == String(format: "%02ld", value))
        #expect(String(value, zeroPaddedTo: 3) == String(format: "%03ld", value))
        #expect(String(value, zeroPaddedTo: 4) == String(format: "%04ld", value))
    }

    @Test("file modes in octal (%04o)", arguments: [0o600, 0o644, 0o640, 0o777, 0o7, 0o4755] as [UInt32])
    func octal(_ mode: UInt32) {
        #expect(String(mode, zeroPaddedTo: 4, radix: 8) == String(format: "%04o", mode))
    }

    @Test("fixed point (%.1f, %.3f, %.6f)", arguments: [
        0, 0.05, 0.15, 0.25, 0.35, 1.0005, 2.5, 3.45, 12.345, 0.1 + 0.2, 1e-7, 123_456.789_5, -0.04, -0.05, -2.675, 1e15, 1e300, .leastNonzeroMagnitude,
        .infinity, -.infinity, .nan,
    ] as [Double])
    func fixed(_ value: Double) {
        for digits in [0, 1, 3, 6] {
            #expect(String(value, fractionDigits: digits) == String(format: "%.\(digits)f", value), "\(value) with \(digits) digits")
        }
    }
}
