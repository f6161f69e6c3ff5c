import FoundationEssentials
import Web

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
        !summary.conversation.title.trimmingWhitespaceAndNewlines().isEmpty
    }

    static func label(title: String, usernames: [String], viewer: String) -> String {
        let titleText = title.trimmingWhitespaceAndNewlines()
        if !titleText.isEmpty { return titleText }
        let others = usernames.filter { $0 != viewer }
        return others.isEmpty ? "Just you" : others.joined(separator: ", ")
    }

    /// The first line-broken-into-spaces 120 characters of a body.
    static func preview(_ body: String, length: Int = 120) -> String {
        let flat = body.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > length ? String(flat.prefix(length)) + "…" : flat
    }
}
