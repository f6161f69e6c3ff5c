import FoundationEssentials
import Web

/// `/api/conversations/:id/participants/…`: adding people to a conversation, removing them,
/// leaving.
struct ParticipantController {
    let services: AppServices

    struct AddInput: Decodable {
        var userIDs: [String]
        enum CodingKeys: String, CodingKey { case userIDs = "user_ids" }
    }

    func register(on router: inout Router<AppContext>) {
        router.drf(.post, "/api/conversations/:id/participants/", use: add)
        router.drf(.delete, "/api/conversations/:id/participants/:user_id/", use: remove)
    }

    /// 200 with the conversation as its detail route shows it. Adding is idempotent by nature
    /// (people already in are passed over), so a retry needs no `Idempotency-Key`.
    @Sendable func add(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try context.requireUser()
        let id = try request.uuidParameter()
        let input = try request.decode(AddInput.self)
        // The length first, so that an oversized list is not parsed (or reported) entry by entry.
        try ConversationService.checkAdditions(count: input.userIDs.count)
        var ids: [UUID] = []
        var malformed: [String] = []
        for text in input.userIDs {
            if let userID = UUID(apiString: text) { ids.append(userID) } else { malformed.append("“\(text)” is not a valid UUID.") }
        }
        if !malformed.isEmpty { throw HTTPError.validation(["user_ids": malformed]) }
        return .json(ConversationJSON(try services.conversations(context).addParticipants(ids, to: id, by: user).conversation))
    }

    /// 204, whether someone was removed, the caller left, or the caller was the last one in
    /// and the conversation is gone.
    @Sendable func remove(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try context.requireUser()
        let id = try request.uuidParameter()
        let userID = try request.uuidParameter("user_id")
        _ = try services.conversations(context).removeParticipant(userID, from: id, by: user)
        return Response(status: .noContent)
    }
}
