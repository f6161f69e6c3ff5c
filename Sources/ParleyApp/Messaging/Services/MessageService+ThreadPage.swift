import Foundation

extension MessageService {
    /// The conversation page's messages, for participants only (404/403 as everywhere). The
    /// cursor is a top-level message of this conversation (else "invalid cursor", a 404).
    func threadPage(in conversationID: UUID, for viewer: AuthenticatedUser, before anchorID: UUID?, limit: Int) throws -> ConversationThreadPage {
        try store.read { repositories in
            try ConversationService.requireParticipant(repositories, conversationID, viewer)
            var cursor: MessageCursor?
            if let anchorID {
                guard let anchor = try repositories.messages.find(anchorID, lock: false), anchor.conversationID == conversationID else {
                    throw MessagingError.invalidCursor
                }
                cursor = MessageCursor(sentAt: anchor.sentAt, messageID: anchor.messageID)
            }
            let (messages, rootIDs, hasEarlier) = try repositories.messages.threadPage(
                conversationID: conversationID, before: cursor, limit: limit, maxDepth: MessageThread.maxDepth)
            let threads = rootIDs.compactMap { MessageThread.build(rootID: $0, from: messages) }
            return ConversationThreadPage(threads: threads, hasEarlier: hasEarlier)
        }
    }
}
