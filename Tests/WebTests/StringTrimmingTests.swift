import Foundation
import Testing
import Web

/// Web's trimming answers what Foundation's `trimmingCharacters(in:)` answered, for every scalar
/// of the Basic Multilingual Plane (where all of Unicode's white space is) and for strings that
/// mix them with combining marks, emoji and NUL.
@Suite("Trimming white space without Foundation")
struct StringTrimmingTests {
    @Test("every BMP scalar is trimmed, or kept, as Foundation's sets say")
    func everyScalar() {
        var mismatches: [UInt32] = []
        for value in UInt32(0)...0xFFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "\(scalar)x\(scalar)"
            if text.trimmingWhitespace() != text.trimmingCharacters(in: .whitespaces)
                || text.trimmingWhitespaceAndNewlines() != text.trimmingCharacters(in: .whitespacesAndNewlines) {
                mismatches.append(value)
            }
        }
        #expect(mismatches.isEmpty, "scalars trimmed differently: \(mismatches.map { String($0, radix: 16) })")
    }

    @Test("strings", arguments: [
        "", " ", "Title", "  Title  ", "\tTab\t", "\nLines\r\n", "\u{85}next line\u{85}", "\u{A0}no-break\u{A0}",
        "\u{2003}em\u{2028}\u{2029}", "\u{3000}ideographic\u{3000}", " \u{301}combining", "\u{200B}zero width\u{200B}",
        "\u{FEFF}bom", "é e\u{301} ", "👩‍👩‍👧 family ", "\u{1680}ogham\u{180E}", "in  side", "\u{0}nul\u{0}",
    ])
    func strings(_ text: String) {
        #expect(text.trimmingWhitespace().unicodeScalars.elementsEqual(text.trimmingCharacters(in: .whitespaces).unicodeScalars))
        #expect(text.trimmingWhitespaceAndNewlines().unicodeScalars.elementsEqual(text.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars))
        let substring = text.dropFirst(0)
        #expect(substring.trimmingWhitespaceAndNewlines() == substring.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
