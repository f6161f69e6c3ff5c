import Foundation

/// Names and previews for conversation lists.
enum ConversationNaming {
    /// The title, or the other participants' usernames, or "Just you".
    static func label(_ summary: ConversationSummary, viewer: AuthenticatedUser) -> String {
        label(title: summary.conversation.title, usernames: summary.participants.map(\.username), viewer: viewer.username)
    }

    /// Everyone in it but the viewer.
    static func others(_ summary: ConversationSummary, viewer: AuthenticatedUser) -> [String] {
        summary.participants.map(\.username).filter { $0 != viewer.username }
    }

    static func isTitled(_ summary: ConversationSummary) -> Bool {
        !trimmed(summary.conversation.title).isEmpty
    }

    static func label(title: String, usernames: [String], viewer: String) -> String {
        let titleText = trimmed(title)
        if !titleText.isEmpty { return titleText }
        let others = usernames.filter { $0 != viewer }
        return others.isEmpty ? "Just you" : others.joined(separator: ", ")
    }

    /// `text` without the white space around it, as `trimmingCharacters(in:
    /// .whitespacesAndNewlines)` trims (general categories Zs, Zl and Zp, U+0009…U+000D, U+0085,
    /// and U+200B, which Foundation's table still counts), scalar by scalar, without Foundation's detour through NSString (every conversation page
    /// trims its title three times).
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return text }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21..<0x7F: return false
        case 0x09...0x0D, 0x20, 0x85, 0x200B: return true
        default:
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }

    /// The first line-broken-into-spaces 120 characters of a body.
    static func preview(_ body: String, length: Int = 120) -> String {
        let flat = body.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > length ? String(flat.prefix(length)) + "…" : flat
    }
}
