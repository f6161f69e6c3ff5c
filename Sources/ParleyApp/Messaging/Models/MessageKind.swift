/// What a messages row is: a message someone wrote, or a system line that records a change of
/// membership (migration 0013). The raw values are the `kind` column's and the API's.
enum MessageKind: String, Sendable, Equatable, Decodable, CaseIterable {
    case message
    /// The sender added the member.
    case memberAdded = "member_added"
    /// The sender removed the member.
    case memberRemoved = "member_removed"
    /// The member (who is also the sender) left.
    case memberLeft = "member_left"

    /// A line the service writes, not a person: it cannot be edited, deleted or replied to.
    var isSystemLine: Bool { self != .message }

    /// The line as the thread shows it, with the names of the moment.
    static func systemText(_ kind: MessageKind, actor: String, member: String) -> String {
        switch kind {
        case .message: ""
        case .memberAdded: "\(actor) added \(member)"
        case .memberRemoved: "\(actor) removed \(member)"
        case .memberLeft: "\(member) left"
        }
    }
}
