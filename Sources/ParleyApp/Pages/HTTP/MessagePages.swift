import FoundationEssentials
import Web

/// Editing one's own message, and any message's history (for the conversation's participants).
struct MessagePages {
    let pages: Pages

    func register(on router: inout Router<AppContext>) {
        router.get("/messages/:id/edit") { request, context in try editForm(request, context) }
        router.post("/messages/:id/edit") { request, context in try edit(request, context) }
        router.get("/messages/:id/history") { request, context in try history(request, context) }
    }

    struct EditView {
        let id: String
        let conversationURL: String
        let body: FieldView
        let sent: TimeView
    }

    struct HistoryView {
        let conversationURL: String
        let sender: String
        let current: String
        let sent: TimeView
        let isEdited: Bool
        let edited: TimeView
        let versions: [VersionView]
        let hasVersions: Bool
    }

    struct VersionView {
        let number: Int
        let body: String
        let replaced: TimeView
        let editor: String
    }

    func editForm(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try pages.requireUser(context, next: request.uri)
        let message = try pages.services.messages(context).editableMessage(try request.uuidParameter(), by: user)
        return try renderEdit(request, context, message: message, body: message.body)
    }

    func edit(_ request: Request, _ context: AppContext) throws -> Response {
        let id = try request.uuidParameter()
        let user = try pages.requireUser(context, next: "/messages/\(id.apiString)/edit")
        let body = try request.form()["message_body"] ?? ""
        let service = pages.services.messages(context)
        do {
            let before = try service.editableMessage(id, by: user)
            let after = try service.edit(id, body: body, by: user)
            let flash: Flash = after.editedAt == before.editedAt ? .info("Nothing changed.") : .success("Message updated.")
            return .redirect(to: "/conversations/\(after.conversationID.apiString)#m-\(id.apiString)", flash: flash, cookies: pages.flashes)
        } catch let error as MessagingError where error.kind == .invalid {
            let message = try service.editableMessage(id, by: user)
            return try renderEdit(request, context, message: message, body: body, errors: error.fields ?? [:])
        }
    }

    private func renderEdit(_ request: Request, _ context: AppContext, message: Message, body: String, errors: [String: [String]] = [:]) throws -> Response {
        let view = EditView(
            id: message.messageID.apiString, conversationURL: "/conversations/\(message.conversationID.apiString)#m-\(message.messageID.apiString)",
            body: FieldView("message_body", value: body, errors: errors), sent: TimeView(message.sentAt, now: pages.now()))
        return pages.render("pages/message-edit", title: "Edit message", view: view, visit: try pages.visit(request, context))
    }

    func history(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try pages.requireUser(context, next: request.uri)
        let id = try request.uuidParameter()
        let service = pages.services.messages(context)
        let message = try service.get(id, for: user.id)
        let edits = try service.history(of: id, for: user.id)
        let now = pages.now()
        // Newest first: version n is the body the n-th edit replaced.
        let versions = edits.enumerated().reversed().map { index, edit in
            VersionView(number: index + 1, body: edit.oldBody, replaced: TimeView(edit.editedAt, now: now), editor: edit.editedBy.username)
        }
        let view = HistoryView(
            conversationURL: "/conversations/\(message.conversationID.apiString)#m-\(id.apiString)",
            sender: message.sender.username, current: message.body, sent: TimeView(message.sentAt, now: now),
            isEdited: message.isEdited, edited: TimeView(message.editedAt ?? message.sentAt, now: now),
            versions: versions, hasVersions: !versions.isEmpty)
        return pages.render("pages/message-history", title: "Message history", view: view, visit: try pages.visit(request, context))
    }
}
