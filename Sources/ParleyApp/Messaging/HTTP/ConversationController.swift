import FoundationEssentials
import Web

/// `/api/conversations/…`: list, create, detail, delete, mark read. (The messages of a
/// conversation are ``MessageController``'s.)
struct ConversationController {
    let services: AppServices

    struct CreateInput: Decodable {
        var participantIDs: [String]
        var title: String?
        enum CodingKeys: String, CodingKey { case participantIDs = "participant_ids", title }
    }

    struct ReadMark: Encodable {
        var conversationID: String
        var lastReadAt: Date
        var unreadCount: Int
        enum CodingKeys: String, CodingKey { case conversationID = "conversation_id", lastReadAt = "last_read_at", unreadCount = "unread_count" }
    }

    func register(on router: inout Router<AppContext>) {
        router.drf(.get, "/api/conversations/", use: list)
        router.drf(.post, "/api/conversations/", use: create)
        router.drf(.get, "/api/conversations/:id/", use: detail)
        router.drf(.delete, "/api/conversations/:id/", use: delete)
        router.drf(.post, "/api/conversations/:id/read/", use: markRead)
    }

    @Sendable func list(_ request: Request, _ context: AppContext) throws -> Response {
        let userID = try context.requireUserID()
        let page = try services.conversations(context).list(for: userID, page: try Pagination.pageRequest(request.query), participants: .json)
        return .json(Pagination.body(page.map(ConversationJSON.init), request: request))
    }

    @Sendable func create(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try context.requireUser()
        let input = try request.decode(CreateInput.self)
        var ids: [UUID] = []
        var malformed: [String] = []
        for text in input.participantIDs {
            if let id = UUID(apiString: text) { ids.append(id) } else { malformed.append("“\(text)” is not a valid UUID.") }
        }
        if !malformed.isEmpty { throw HTTPError.validation(["participant_ids": malformed]) }
        let summary = try services.conversations(context).create(by: user, participantIDs: ids, title: input.title)
        return .json(ConversationJSON(summary), status: .created)
    }

    @Sendable func detail(_ request: Request, _ context: AppContext) throws -> Response {
        let userID = try context.requireUserID()
        return .json(ConversationJSON(try services.conversations(context).detail(try request.uuidParameter(), for: userID)))
    }

    @Sendable func delete(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try context.requireUser()
        try services.conversations(context).delete(try request.uuidParameter(), by: user)
        return Response(status: .noContent)
    }

    @Sendable func markRead(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try context.requireUser()
        let id = try request.uuidParameter()
        let mark = try services.conversations(context).markRead(id, by: user)
        return try .json(ReadMark(conversationID: id.apiString, lastReadAt: mark, unreadCount: 0))
    }
}
