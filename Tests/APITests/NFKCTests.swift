import Foundation
@testable import ParleyApp
import Testing

/// User names and passwords are normalised to NFKC before they are compared or hashed, so
/// utf8proc must answer what Foundation's `precomposedStringWithCompatibilityMapping` answered:
/// a password hashed by an older build must still verify.
@Suite("NFKC without Foundation")
struct NFKCTests {
    @Test("every scalar on its own")
    func everyScalar() {
        var mismatches: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(scalar)
            if !text.nfkcNormalized.unicodeScalars.elementsEqual(text.precomposedStringWithCompatibilityMapping.unicodeScalars) {
                mismatches.append(value)
            }
        }
        #expect(mismatches.isEmpty, "scalars normalised differently: \(mismatches.prefix(20).map { String($0, radix: 16) })")
    }

    @Test("sequences: composition, reordering of combining marks, Hangul, compatibility forms")
    func sequences() {
        let pieces: [String] = ["a", "e", "A", "\u{301}", "\u{300}", "\u{323}", "\u{327}", "\u{308}", "\u{1100}", "\u{1161}", "\u{11A8}",
                                "ﬁ", "①", "ｆ", "Å", "Ω", "K", "\u{FB01}", "\u{2126}", "\u{0344}", "ς", "ᾳ", "\u{0345}", " ", "ß", "İ", "👩‍💻"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 1...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            guard text.nfkcNormalized.unicodeScalars.elementsEqual(text.precomposedStringWithCompatibilityMapping.unicodeScalars) else {
                Issue.record("\(text.unicodeScalars.map { String($0.value, radix: 16) })")
                return
            }
        }
        let name = "ｐａｒｌｅｙ"[...]
        #expect(name.nfkcNormalized == "parley")
    }
}
