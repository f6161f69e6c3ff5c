import FoundationEssentials

extension ConversationService {
    /// Labels of the viewer's conversations among `conversationIDs`; others are left out.
    func labels(of conversationIDs: [UUID], for viewer: AuthenticatedUser) throws -> [UUID: ConversationLabel] {
        let ids = Array(Set(conversationIDs))
        guard !ids.isEmpty else { return [:] }
        return try store.read { repositories in
            try repositories.conversations.labels(of: ids, viewerID: viewer.id)
        }
    }
}
