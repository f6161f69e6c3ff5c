/// Refusals of membership changes, and of what system lines do not allow.
extension MessagingError {
    static let participantNotFound = MessagingError(kind: .notFound, message: "No Participant matches the given query.")
    static let notCreatorToRemove = MessagingError(
        kind: .forbidden, message: "Only the conversation's creator or an admin can remove someone else; anyone can leave.")
    static let systemLineUnchangeable = MessagingError(
        kind: .forbidden, message: "This line records a change of membership; it cannot be edited or deleted.")
    static let systemLineParent = MessagingError.invalid("parent_message", "A line about membership cannot be replied to.")
}
