import FoundationEssentials
import Postgres

extension PostgresMessageRepository {
    /// The access check, the page and (filtered) the count, as one pipeline and one transaction
    /// (decision 0016). Unfiltered, the access statement's row already holds the conversation's
    /// message counter: no count. It also holds the participants' names for the page's messages.
    func firstPage(in conversationID: UUID, viewerID: UUID, filter: MessageFilter, ordering: MessageOrdering, limit: Int) throws -> (access: ConversationAccess?, total: Int, items: [Message]) {
        var filter = filter
        filter.conversationID = conversationID
        filter.visibleTo = nil
        let counted = filter.senderID == nil && filter.sentFrom == nil && filter.sentUntil == nil
        let direction: ScanDirection = ordering == .oldestFirst ? .ascending : .descending
        var queries = [
            PostgresConversationRepository.accessQuery(conversationID, userID: viewerID, lock: false, participants: true),
            Self.listQuery(filter, from: nil, direction: direction, offset: 0, limit: limit, participantsUnnamed: true),
        ]
        if !counted { queries.append(Self.countQuery(filter)) }
        let outcomes = try connection.pipeline(queries, sync: .once)
        let accessRows = try outcomes[0].get()
        var (items, unnamed) = try ParticipantNames.messages(outcomes[1].get())
        let total = try counted
            ? accessRows.first?.decode(Int.self, column: "message_count") ?? 0
            : outcomes[2].get().first?.decode(Int.self) ?? 0
        let access = try PostgresConversationRepository.access(accessRows)
        if let row = accessRows.first, access?.isParticipant == true {
            let participants = try row.decode([ParticipantName].self, at: 7)
            try ParticipantNames.complete(&items, unnamed: unnamed, connection: connection) { id in
                participants.first { $0.userID == id }?.username
            }
        } else {
            // Nobody is shown these (the service answers 404 or 403), so nobody is looked up.
            items = []
        }
        return (access, total, items)
    }
}
