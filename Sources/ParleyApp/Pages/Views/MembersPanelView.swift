/// The members panel of a conversation page: who is in it, a remove button where the viewer
/// may remove (the creator and admins, for others), the add form (usernames) and the leave
/// button. It opens by itself when the add form comes back with an error.
struct MembersPanelView {
    struct Member {
        let userID: String
        let username: String
        let fullName: String
        let hasFullName: Bool
        let isViewer: Bool
        let isCreator: Bool
        let canRemove: Bool
    }

    let conversationID: String
    let people: [Member]
    let count: Int
    let add: FieldView
    let isOpen: Bool
    /// Leaving deletes the conversation: say so on the button.
    let isLastMember: Bool

    /// The field of the add form.
    static let field = "usernames"

    init(_ summary: ConversationSummary, viewer: AuthenticatedUser, add: FieldView = FieldView(MembersPanelView.field)) {
        let createdBy = summary.conversation.createdBy
        let mayRemoveOthers = viewer.isAdmin || createdBy == viewer.id
        conversationID = summary.conversation.conversationID.apiString
        people = summary.participants.map { participant in
            let isViewer = participant.userID == viewer.id
            let fullName = [participant.firstName, participant.lastName].filter { !$0.isEmpty }.joined(separator: " ")
            return Member(
                userID: participant.userID.apiString, username: participant.username,
                fullName: fullName, hasFullName: !fullName.isEmpty, isViewer: isViewer, isCreator: participant.userID == createdBy, canRemove: mayRemoveOthers && !isViewer)
        }
        count = people.count
        self.add = add
        isOpen = add.hasErrors
        isLastMember = summary.participants.allSatisfy { $0.userID == viewer.id }
    }
}
