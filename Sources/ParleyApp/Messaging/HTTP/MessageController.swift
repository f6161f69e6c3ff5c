import FoundationEssentials
import Web

/// `/api/conversations/:id/messages/` (list, post) and `/api/messages/…` (list across
/// conversations, detail, edit, delete, history, thread).
struct MessageController {
    let services: AppServices

    static let idempotencyKeyHeader = "Idempotency-Key"

    struct CreateInput: Decodable {
        var messageBody: String
        var parentMessage: String?
        enum CodingKeys: String, CodingKey { case messageBody = "message_body", parentMessage = "parent_message" }
    }

    /// PATCH is partial: `message_body` may be absent (nothing to change), but not null.
    struct EditInput: Decodable {
        var messageBody: String?
        enum CodingKeys: String, CodingKey { case messageBody = "message_body" }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if container.contains(.messageBody) {
                messageBody = try container.decode(String.self, forKey: .messageBody)  // null: "may not be null"
            }
        }
    }

    func register(on router: inout Router<AppContext>) {
        router.drf(.get, "/api/conversations/:id/messages/", use: listInConversation)
        router.drf(.post, "/api/conversations/:id/messages/", use: create)
        router.drf(.get, "/api/messages/", use: listVisible)
        router.drf(.get, "/api/messages/:id/", use: detail)
        router.drf(.patch, "/api/messages/:id/", use: edit)
        router.drf(.delete, "/api/messages/:id/", use: delete)
        router.drf(.get, "/api/messages/:id/history/", use: history)
        router.drf(.get, "/api/messages/:id/thread/", use: thread)
    }

    @Sendable func listInConversation(_ request: Request, _ context: AppContext) throws -> Response {
        let userID = try context.requireUserID()
        let conversationID = try request.uuidParameter()
        let listing = try services.messages(context).list(
            in: conversationID, for: userID,
            filter: try MessageListParameters.filter(request.query),
            ordering: try MessageListParameters.ordering(request.query),
            window: try MessageListParameters.window(request.query))
        return try MessageListParameters.response(listing, request: request)
    }

    @Sendable func listVisible(_ request: Request, _ context: AppContext) throws -> Response {
        let userID = try context.requireUserID()
        var filter = try MessageListParameters.filter(request.query)
        filter.conversationID = try request.query.uuid("conversation")
        let listing = try services.messages(context).listVisible(
            to: userID, filter: filter,
            ordering: try MessageListParameters.ordering(request.query),
            window: try MessageListParameters.window(request.query))
        return try MessageListParameters.response(listing, request: request)
    }

    @Sendable func create(_ request: Request, _ context: AppContext) throws -> Response {
        let userID = try context.requireUserID()
        let conversationID = try request.uuidParameter()
        var key: String?
        if let header = request.headers[Self.idempotencyKeyHeader] {
            guard (1...255).contains(header.count) else {
                throw HTTPError(.badRequest, "The Idempotency-Key header must be 1 to 255 characters long.")
            }
            key = header
        }
        let input = try request.decode(CreateInput.self)
        var parent: UUID?
        if let text = input.parentMessage {
            guard let id = UUID(apiString: text) else { throw HTTPError.validation(["parent_message": ["“\(text)” is not a valid UUID."]]) }
            parent = id
        }
        let result = try services.messages(context).send(
            MessageDraft(body: input.messageBody, parentMessageID: parent), to: conversationID, by: userID, idempotencyKey: key
        ) { message in
            StoredResponse(status: HTTPStatus.created.code, body: JSON.encode(MessageJSON(message)))
        }
        var response = Response(
            status: HTTPStatus(code: result.response.status), headers: ["Content-Type": "application/json"], body: result.response.body)
        if result.isReplay { response.headers["Idempotent-Replayed"] = "true" }
        return response
    }

    @Sendable func detail(_ request: Request, _ context: AppContext) throws -> Response {
        let userID = try context.requireUserID()
        return .json(MessageJSON(try services.messages(context).get(try request.uuidParameter(), for: userID)))
    }

    @Sendable func edit(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try context.requireUser()
        let id = try request.uuidParameter()
        let input = try request.decode(EditInput.self)
        let service = services.messages(context)
        // PATCH is partial: without message_body there is nothing to change (DRF answers 200).
        guard let body = input.messageBody else { return .json(MessageJSON(try service.get(id, for: user.id))) }
        return .json(MessageJSON(try service.edit(id, body: body, by: user)))
    }

    @Sendable func delete(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try context.requireUser()
        try services.messages(context).delete(try request.uuidParameter(), by: user)
        return Response(status: .noContent)
    }

    @Sendable func history(_ request: Request, _ context: AppContext) throws -> Response {
        let userID = try context.requireUserID()
        return try .json(try services.messages(context).history(of: try request.uuidParameter(), for: userID).map(MessageEditJSON.init))
    }

    @Sendable func thread(_ request: Request, _ context: AppContext) throws -> Response {
        let userID = try context.requireUserID()
        return .json(MessageThreadJSON(try services.messages(context).thread(of: try request.uuidParameter(), for: userID)))
    }
}
