import FoundationEssentials
import Web

/// A conversation as the viewer sees it.
struct ConversationJSON: JSONObjectWritable {
    var summary: ConversationSummary

    init(_ summary: ConversationSummary) { self.summary = summary }

    enum CodingKeys: String, CodingKey {
        case conversationID = "conversation_id", title, participants, createdBy = "created_by", createdAt = "created_at"
        case lastMessage = "last_message", unreadCount = "unread_count"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let conversation = summary.conversation
        try container.encode(conversation.conversationID.apiString, forKey: .conversationID)
        try container.encode(conversation.title, forKey: .title)
        try container.encode(summary.participants.map(ParticipantJSON.init), forKey: .participants)
        try container.encode(conversation.createdBy?.apiString, forKey: .createdBy)
        try container.encode(conversation.createdAt, forKey: .createdAt)
        try container.encode(summary.lastMessage.map(MessageJSON.init), forKey: .lastMessage)
        try container.encode(summary.unreadCount, forKey: .unreadCount)
    }

    /// The same members as `encode(to:)`, in the same order (the conversation list).
    func writeJSONObject(to object: inout JSONObjectWriter) {
        let conversation = summary.conversation
        object.member("conversation_id", conversation.conversationID)
        object.member("title", conversation.title)
        if let participants = summary.participantsJSON {
            // PostgreSQL's copy of exactly what the line below writes (decision 0018).
            object.member("participants", rawJSON: participants)
        } else {
            object.member("participants", summary.participants.map(ParticipantJSON.init))
        }
        object.member("created_by", conversation.createdBy)
        object.member("created_at", conversation.createdAt)
        object.member("last_message", summary.lastMessage.map(MessageJSON.init))
        object.member("unread_count", summary.unreadCount)
    }
}
