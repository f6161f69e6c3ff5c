import FoundationEssentials
import Web

/// A message: `message_id`, `conversation`, `sender`, `message_body`, `parent_message`,
/// `sent_at`, `edited`, `edited_at`, `kind` (`message`, or a system line: `member_added`,
/// `member_removed`, `member_left`) and `member` (who joined or went; null for a message).
struct MessageJSON: JSONObjectWritable {
    var message: Message

    init(_ message: Message) { self.message = message }

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id", conversation, sender, messageBody = "message_body", parentMessage = "parent_message"
        case sentAt = "sent_at", edited, editedAt = "edited_at", kind, member
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message.messageID.apiString, forKey: .messageID)
        try container.encode(message.conversationID.apiString, forKey: .conversation)
        try container.encode(UserReferenceJSON(message.sender), forKey: .sender)
        try container.encode(message.body, forKey: .messageBody)
        try container.encode(message.parentMessageID?.apiString, forKey: .parentMessage)
        try container.encode(message.sentAt, forKey: .sentAt)
        try container.encode(message.isEdited, forKey: .edited)
        try container.encode(message.editedAt, forKey: .editedAt)
        try container.encode(message.kind.rawValue, forKey: .kind)
        try container.encode(message.member.map(UserReferenceJSON.init), forKey: .member)
    }

    /// The same members as `encode(to:)`, in the same order, written directly (a page of
    /// messages is the API's busiest response).
    func writeJSONObject(to object: inout JSONObjectWriter) {
        object.member("message_id", message.messageID)
        object.member("conversation", message.conversationID)
        object.member("sender", UserReferenceJSON(message.sender))
        object.member("message_body", message.body)
        object.member("parent_message", message.parentMessageID)
        object.member("sent_at", message.sentAt)
        object.member("edited", message.isEdited)
        object.member("edited_at", message.editedAt)
        object.member("kind", message.kind.rawValue)
        object.member("member", message.member.map(UserReferenceJSON.init))
    }
}
