import FoundationEssentials

/// "Someone wrote in a conversation you are in." (Named so as not to collide with
/// Foundation's `Notification`.)
struct MessageNotification: Sendable, Equatable {
    var notificationID: UUID
    var recipientID: UUID
    var messageID: UUID
    /// The start of the message's current body (see ``previewLength``).
    var messagePreview: String
    var conversationID: UUID
    var sender: UserReference
    var createdAt: Date
    var readAt: Date?
    /// The recipient was added to the conversation (the message is the "added" line), rather
    /// than someone writing in it.
    var isAddition = false

    var isRead: Bool { readAt != nil }

    /// How much of the body a notification shows.
    static let previewLength = 100

    /// The first ``previewLength`` characters (Unicode scalars, as PostgreSQL's `char_length`
    /// counts), with `…` when cut.
    static func preview(of body: String) -> String {
        let scalars = body.unicodeScalars
        guard scalars.count > previewLength else { return body }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars.prefix(previewLength))
        return String(view) + "…"
    }
}
