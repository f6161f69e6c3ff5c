/// Why a messaging operation was refused. The services throw it; the HTTP layer maps it to a
/// status and a DRF-style body (`MessagingError+HTTP.swift`). Its texts are safe to show.
struct MessagingError: Error, Equatable, CustomStringConvertible {
    enum Kind: Equatable, Sendable {
        case notFound
        case forbidden
        case invalid
        case invalidPage
        case invalidCursor
        case idempotencyKeyReused
        case rateLimited
    }

    let kind: Kind
    let message: String
    /// For `.invalid`: messages per input field, as DRF's `{"field": ["…"]}`.
    var fields: [String: [String]]?
    /// For `.rateLimited`: the limiter's decision (limit, Retry-After).
    var rateLimit: RateLimitDecision?

    var description: String { "MessagingError(\(kind)): \(message)" }

    static let conversationNotFound = MessagingError(kind: .notFound, message: "No Conversation matches the given query.")
    static let messageNotFound = MessagingError(kind: .notFound, message: "No Message matches the given query.")
    static let notificationNotFound = MessagingError(kind: .notFound, message: "No Notification matches the given query.")
    static let notParticipant = MessagingError(kind: .forbidden, message: "You are not a participant in this conversation.")
    static let notSender = MessagingError(kind: .forbidden, message: "Only the sender can change or delete this message.")
    static let notCreator = MessagingError(kind: .forbidden, message: "Only the conversation's creator or an admin can delete it.")
    static let invalidPage = MessagingError(kind: .invalidPage, message: "Invalid page.")
    static let invalidCursor = MessagingError(kind: .invalidCursor, message: "Invalid cursor.")
    static let idempotencyKeyReused = MessagingError(
        kind: .idempotencyKeyReused,
        message: "This Idempotency-Key was already used for a different request; use a new key for a new message.")

    static func invalid(_ field: String, _ message: String) -> MessagingError {
        MessagingError(kind: .invalid, message: "Invalid input.", fields: [field: [message]])
    }

    static func rateLimited(_ decision: RateLimitDecision) -> MessagingError {
        MessagingError(kind: .rateLimited, message: "Request was throttled.", rateLimit: decision)
    }
}
