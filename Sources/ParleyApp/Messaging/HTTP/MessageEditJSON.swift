import FoundationEssentials

/// An earlier version: `old_body`, `edited_at`, `edited_by` ({user_id, username}).
struct MessageEditJSON: Encodable {
    var oldBody: String
    var editedAt: Date
    var editedBy: UserReferenceJSON

    init(_ edit: MessageEdit) {
        oldBody = edit.oldBody
        editedAt = edit.editedAt
        editedBy = UserReferenceJSON(edit.editedBy)
    }

    enum CodingKeys: String, CodingKey { case oldBody = "old_body", editedAt = "edited_at", editedBy = "edited_by" }
}
