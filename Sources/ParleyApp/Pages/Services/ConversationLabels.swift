import Foundation
import Postgres

/// How a conversation is named in lists where only its id is known (notifications): its title,
/// and its participants' usernames for the untitled ones.
struct ConversationLabel: Sendable, Equatable {
    var title: String
    var usernames: [String]
}

/// A store that names many conversations in one statement.
protocol ConversationLabelReading {
    /// Labels of those of `conversationIDs` that `viewerID` takes part in.
    func labels(of conversationIDs: [UUID], viewerID: UUID) throws -> [UUID: ConversationLabel]
}

extension ConversationService {
    /// Labels of the viewer's conversations among `conversationIDs`; others are left out.
    func labels(of conversationIDs: [UUID], for viewer: AuthenticatedUser) throws -> [UUID: ConversationLabel] {
        let ids = Array(Set(conversationIDs))
        guard !ids.isEmpty else { return [:] }
        return try store.read { repositories in
            if let reader = repositories.conversations as? any ConversationLabelReading {
                return try reader.labels(of: ids, viewerID: viewer.id)
            }
            var labels: [UUID: ConversationLabel] = [:]
            for id in ids {
                if let summary = try repositories.conversations.summary(id, for: viewer.id) {
                    labels[id] = ConversationLabel(title: summary.conversation.title, usernames: summary.participants.map(\.username))
                }
            }
            return labels
        }
    }
}

extension PostgresConversationRepository: ConversationLabelReading {
    func labels(of conversationIDs: [UUID], viewerID: UUID) throws -> [UUID: ConversationLabel] {
        let rows = try connection.query("""
            SELECT c.conversation_id, c.title,
                   coalesce((SELECT array_agg(u.username ORDER BY pp.joined_at, u.username)
                               FROM conversation_participants pp JOIN users u ON u.user_id = pp.user_id
                              WHERE pp.conversation_id = c.conversation_id), '{}') AS usernames
            FROM conversations c
            WHERE c.conversation_id = ANY(\(conversationIDs))
              AND EXISTS (SELECT 1 FROM conversation_participants p
                          WHERE p.conversation_id = c.conversation_id AND p.user_id = \(viewerID))
            """)
        var labels: [UUID: ConversationLabel] = [:]
        for row in rows {
            let (id, title, usernames) = try row.decode((UUID, String, [String]).self)
            labels[id] = ConversationLabel(title: title, usernames: usernames)
        }
        return labels
    }
}

extension NotificationService {
    /// How many of `user`'s notifications are unread (the navigation's badge).
    func unreadCount(for user: AuthenticatedUser) throws -> Int {
        try store.read { try $0.notifications.count(recipientID: user.id, read: false) }
    }
}
