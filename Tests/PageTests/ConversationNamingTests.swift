import Foundation
@testable import ParleyApp
import Testing

/// The page's own trimming of titles answers what Foundation's did (checked over every Unicode
/// scalar when it was written; these are the interesting ones).
@Suite("Pages: conversation titles")
struct ConversationNamingTests {
    @Test("titles are trimmed as trimmingCharacters(in: .whitespacesAndNewlines) trims them", arguments: [
        "", " ", "Title", "  Title  ", "\tTab\t", "\nLines\r\n", "\u{85}next line\u{85}", "\u{A0}no-break\u{A0}",
        "\u{2003}em\u{2028}\u{2029}", "\u{3000}ideographic\u{3000}", " \u{301}combining", "\u{200B}zero width\u{200B}",
        "\u{FEFF}bom", "é e\u{301} ", "👩‍👩‍👧 family ", "\u{1680}ogham\u{180E}", "in  side", "\u{0}nul\u{0}",
    ])
    func trimming(_ title: String) {
        #expect(ConversationNaming.trimmed(title).unicodeScalars.elementsEqual(title.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars))
    }
}
