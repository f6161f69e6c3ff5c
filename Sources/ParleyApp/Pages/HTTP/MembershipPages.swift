import FoundationEssentials
import Web

/// The forms of a conversation page's members panel: adding people by username, removing
/// someone (the creator and admins), leaving. Each is a CSRF-checked POST that redirects with
/// a flash; a refused add shows the conversation again with the error under the field.
struct MembershipPages {
    let pages: Pages

    func register(on router: inout Router<AppContext>) {
        router.post("/conversations/:id/members") { request, context in try add(request, context) }
        router.post("/conversations/:id/members/remove") { request, context in try remove(request, context) }
        router.post("/conversations/:id/leave") { request, context in try leave(request, context) }
    }

    func add(_ request: Request, _ context: AppContext) throws -> Response {
        let id = try request.uuidParameter()
        let path = "/conversations/\(id.apiString)"
        let user = try pages.requireUser(context, next: path)
        let typed = try request.form()[MembersPanelView.field] ?? ""
        func refused(_ errors: [String]) throws -> Response {
            let field = FieldView(MembersPanelView.field, value: typed, errors: [MembersPanelView.field: errors])
            return try ConversationPages(pages: pages).renderConversation(request, context, viewerID: user.id, compose: nil, membersField: field)
        }
        let names = UsernameList.parse(typed)
        guard !names.isEmpty else { return try refused(["Enter at least one username."]) }
        guard names.count <= ConversationService.maxAddedAtOnce else {
            return try refused(["Enter at most \(ConversationService.maxAddedAtOnce) usernames at a time."])
        }
        let lookup = try pages.services.accounts(context).accounts(named: names)
        if !lookup.unknown.isEmpty { return try refused(lookup.unknown.map { "Nobody is called “\($0)”." }) }
        do {
            let result = try pages.services.conversations(context).addParticipants(lookup.found.map(\.id), to: id, by: user)
            let added = lookup.found.filter { result.added.contains($0.id) }.map(\.username)
            let flash: Flash = added.isEmpty
                ? .info(names.count == 1 ? "They are already in this conversation." : "They are all in this conversation already.")
                : .success("Added \(Self.list(added)).")
            return .redirect(to: path + "#members", flash: flash, cookies: pages.flashes)
        } catch let error as MessagingError where error.kind == .invalid {
            return try refused(error.fields?.values.flatMap { $0 } ?? [error.message])
        }
    }

    /// Removing someone else; the viewer's own id here is leaving, as the API has it.
    func remove(_ request: Request, _ context: AppContext) throws -> Response {
        let id = try request.uuidParameter()
        let user = try pages.requireUser(context, next: "/conversations/\(id.apiString)")
        guard let target = try request.form()["user_id"].flatMap(UUID.init(apiString:)) else {
            throw HTTPError(.badRequest, "Choose whom to remove.")
        }
        if target == user.id { return try leave(id, user: user, context) }
        let conversations = pages.services.conversations(context)
        let name = try conversations.detail(id, for: user.id).participants.first { $0.userID == target }?.username
        _ = try conversations.removeParticipant(target, from: id, by: user)
        return .redirect(
            to: "/conversations/\(id.apiString)#members", flash: .success("Removed \(name ?? "them") from the conversation."),
            cookies: pages.flashes)
    }

    func leave(_ request: Request, _ context: AppContext) throws -> Response {
        let id = try request.uuidParameter()
        let user = try pages.requireUser(context, next: "/conversations/\(id.apiString)")
        return try leave(id, user: user, context)
    }

    /// Back to the inbox, where the conversation is no longer listed.
    private func leave(_ id: UUID, user: AuthenticatedUser, _ context: AppContext) throws -> Response {
        let conversations = pages.services.conversations(context)
        let label = ConversationNaming.label(try conversations.detail(id, for: user.id), viewer: user)
        let text = switch try conversations.removeParticipant(user.id, from: id, by: user) {
        case .conversationDeleted: "You left “\(label)”. You were the last one in it, so it was deleted."
        case .left, .removed: "You left “\(label)”."
        }
        return .redirect(to: "/inbox", flash: .success(text), cookies: pages.flashes)
    }

    /// "carol", "carol and dave", "carol, dave and erin".
    static func list(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
    }
}
