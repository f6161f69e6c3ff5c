import FoundationEssentials
import Web

/// The inbox, starting a conversation, and a conversation's page (reading and posting).
struct ConversationPages {
    let pages: Pages

    /// Top-level messages per conversation page; each comes with all its replies.
    static let threadsPerPage = 20
    static let conversationsPerPage = 20

    func register(on router: inout Router<AppContext>) {
        router.get("/inbox") { request, context in try inbox(request, context) }
        router.get("/conversations/new") { request, context in try newForm(request, context) }
        router.post("/conversations/new") { request, context in try create(request, context) }
        router.get("/conversations/:id") { request, context in try show(request, context) }
        router.post("/conversations/:id/messages") { request, context in try post(request, context) }
    }

    // MARK: - Views

    struct InboxView {
        let conversations: [ConversationRowView]
        let isEmpty: Bool
        let pagination: PaginationView
    }

    struct ConversationRowView {
        let url: String
        let label: String
        /// The other participants, shown under a title (an untitled one is named after them).
        let participants: String
        let showsParticipants: Bool
        let hasPreview: Bool
        let preview: String
        let previewSender: String
        let activity: TimeView
        let unreadCount: Int
        let hasUnread: Bool
        /// The last line records a membership change: its text alone, no "sender:".
        var previewIsSystemLine = false
    }

    struct NewConversationView {
        let participants: FieldView
        let titleField: FieldView
    }

    struct ConversationView {
        let id: String
        let label: String
        let participantList: String
        let showsParticipants: Bool
        let messages: [MessageView]
        let isEmpty: Bool
        let hasEarlier: Bool
        let earlierURL: String
        let isEarlierPage: Bool
        let compose: ComposeView
        var members: MembersPanelView?
    }

    /// The form under the messages; after a refused post it holds the text and the error.
    struct ComposeView {
        let body: FieldView
        let parentID: String
        let isReply: Bool
        let replyingTo: String
    }

    /// The friendly 429: what was not sent, in a form to send again once the wait is over.
    struct ThrottledView {
        let heading: String
        let explanation: String
        let conversationURL: String
        let action: String
        let body: String
        let parentID: String
        let hasParent: Bool
    }

    // MARK: - Inbox

    func inbox(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try pages.requireUser(context, next: request.uri)
        let pageRequest = try PaginationView.pageRequest(request.query, size: Self.conversationsPerPage)
        let page = try pages.services.conversations(context).list(for: user.id, page: pageRequest)
        let now = pages.now()
        let rows = page.items.map { summary in
            let last = summary.lastMessage
            return ConversationRowView(
                url: "/conversations/\(summary.conversation.conversationID.apiString)",
                label: ConversationNaming.label(summary, viewer: user),
                participants: ConversationNaming.others(summary, viewer: user).joined(separator: ", "),
                showsParticipants: ConversationNaming.isTitled(summary) && !ConversationNaming.others(summary, viewer: user).isEmpty,
                hasPreview: last != nil, preview: last.map { ConversationNaming.preview($0.body) } ?? "",
                previewSender: last.map { $0.sender.userID == user.id ? "You" : $0.sender.username } ?? "",
                activity: TimeView(last?.sentAt ?? summary.conversation.lastMessageAt, now: now),
                unreadCount: summary.unreadCount, hasUnread: summary.unreadCount > 0,
                previewIsSystemLine: last?.isSystemLine ?? false)
        }
        let view = InboxView(conversations: rows, isEmpty: rows.isEmpty, pagination: PaginationView(page, path: "/inbox", query: request.query))
        var nav = NavView()
        nav.inbox = true
        return pages.render("pages/inbox", title: "Inbox", view: view, visit: try pages.visit(request, context), nav: nav)
    }

    // MARK: - New conversation

    func newForm(_ request: Request, _ context: AppContext) throws -> Response {
        _ = try pages.requireUser(context, next: "/conversations/new")
        return try renderNew(request, context, participants: request.query["to"] ?? "", title: "")
    }

    func create(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try pages.requireUser(context, next: "/conversations/new")
        let form = try request.form()
        let participants = form["participants"] ?? ""
        let title = form["title"] ?? ""
        let names = UsernameList.parse(participants)
        guard !names.isEmpty else {
            return try renderNew(request, context, participants: participants, title: title, errors: ["participants": ["Enter at least one username."]])
        }
        let lookup = try pages.services.accounts(context).accounts(named: names)
        if !lookup.unknown.isEmpty {
            let messages = lookup.unknown.map { "Nobody is called “\($0)”." }
            return try renderNew(request, context, participants: participants, title: title, errors: ["participants": messages])
        }
        do {
            let summary = try pages.services.conversations(context).create(
                by: user, participantIDs: lookup.found.map(\.id), title: title.trimmingWhitespaceAndNewlines())
            return .redirect(to: "/conversations/\(summary.conversation.conversationID.apiString)", flash: .success("Conversation started."), cookies: pages.flashes)
        } catch let error as MessagingError where error.kind == .invalid {
            var fields = error.fields ?? [:]
            if let titleErrors = fields.removeValue(forKey: "title") { fields["title"] = titleErrors }
            if let ids = fields.removeValue(forKey: "participant_ids") { fields["participants"] = ids }
            return try renderNew(request, context, participants: participants, title: title, errors: fields)
        }
    }

    private func renderNew(_ request: Request, _ context: AppContext, participants: String, title: String, errors: [String: [String]] = [:]) throws -> Response {
        let view = NewConversationView(participants: FieldView("participants", value: participants, errors: errors), titleField: FieldView("title", value: title, errors: errors))
        var nav = NavView()
        nav.newConversation = true
        return pages.render("pages/conversation-new", title: "New conversation", view: view, visit: try pages.visit(request, context), nav: nav)
    }

    // MARK: - A conversation

    func show(_ request: Request, _ context: AppContext) throws -> Response {
        if let reply = request.query["reply"], !reply.isEmpty {
            let user = try pages.requireUser(context, next: request.uri)
            return try renderConversation(request, context, viewerID: user.id, compose: try replyCompose(request, context, user: user))
        }
        // The page's read carries the session check (``DeferredSession``).
        return try renderConversation(request, context, viewerID: try pages.requireUserID(context, next: request.uri), compose: nil)
    }

    /// `?reply=<message>`: the page's one form set to answer that message. The Reply link under
    /// each message opens this without JavaScript; with it, reply.js moves the form under the
    /// message instead. (One form per page, not one per message: the copies were most of the
    /// page's bytes, see bench/README.md.)
    private func replyCompose(_ request: Request, _ context: AppContext, user: AuthenticatedUser) throws -> ComposeView? {
        guard let text = request.query["reply"], !text.isEmpty else { return nil }
        let notFound = HTTPError(.notFound, "The message you want to reply to could not be found.")
        guard let parentID = UUID(apiString: text) else { throw notFound }
        let parent: Message
        do {
            parent = try pages.services.messages(context).get(parentID, for: user.id)
        } catch let error as MessagingError where error.kind == .notFound || error.kind == .forbidden {
            throw notFound
        }
        guard parent.conversationID == (try request.uuidParameter()), !parent.isSystemLine else { throw notFound }
        return ComposeView(body: FieldView("message_body"), parentID: parentID.apiString, isReply: true, replyingTo: parent.sender.username)
    }

    /// The conversation page. Opening it marks the conversation read (its unread count and its
    /// notifications), as a reader would expect, when something in it is unread. Its reads take
    /// one round trip, with the session check when that rides along, and the marking one more
    /// when there is something to mark (``ConversationService/openPage``). `membersField`: the
    /// add form of the members panel, after a refused add.
    func renderConversation(
        _ request: Request, _ context: AppContext, viewerID: UUID, compose: ComposeView?, membersField: FieldView? = nil,
        status: HTTPStatus = .ok
    ) throws -> Response {
        let id = try request.uuidParameter()
        let before = try Self.cursor(request.query["before"])
        let opened = try pages.services.conversations(context).openPage(
            id, viewerID: viewerID, before: before, limit: Self.threadsPerPage, knownUnreadNotifications: context.sessionUnreadNotifications)
        let user = try pages.requireUser(context, next: request.uri)
        let summary = opened.summary
        let page = opened.threads
        let label = ConversationNaming.label(summary, viewer: user)
        let view = ConversationView(
            id: id.apiString, label: label,
            participantList: ConversationNaming.others(summary, viewer: user).joined(separator: ", "),
            showsParticipants: ConversationNaming.isTitled(summary) && !ConversationNaming.others(summary, viewer: user).isEmpty,
            messages: MessageView.tree(page.threads, viewer: user, now: pages.now()),
            isEmpty: page.threads.isEmpty,
            hasEarlier: page.hasEarlier,
            earlierURL: page.earliestRootID.map { "/conversations/\(id.apiString)?before=\($0.apiString)" } ?? "",
            isEarlierPage: before != nil,
            compose: compose ?? ComposeView(body: FieldView("message_body"), parentID: "", isReply: false, replyingTo: ""),
            members: MembersPanelView(summary, viewer: user, add: membersField ?? FieldView(MembersPanelView.field)))
        let visit = try pages.visit(request, context, unreadNotifications: opened.unreadNotifications)
        return pages.render("pages/conversation", title: label, view: view, visit: visit, status: status)
    }

    /// `?before=` names a message; anything but a UUID names nothing (404).
    static func cursor(_ text: String?) throws -> UUID? {
        guard let text, !text.isEmpty else { return nil }
        guard let id = UUID(apiString: text) else { throw HTTPError(.notFound, "Those earlier messages could not be found.") }
        return id
    }

    // MARK: - Posting

    func post(_ request: Request, _ context: AppContext) throws -> Response {
        let id = try request.uuidParameter()
        let user = try pages.requireUser(context, next: "/conversations/\(id.apiString)")
        let form = try request.form()
        let body = form["message_body"] ?? ""
        var parent: UUID?
        var parentSender = ""
        if let text = form["parent_message"], !text.isEmpty {
            guard let parentID = UUID(apiString: text) else { throw HTTPError(.badRequest, "The message you replied to could not be found.") }
            parent = parentID
            parentSender = (try? pages.services.messages(context).get(parentID, for: user.id).sender.username) ?? ""
        }
        do {
            let result = try pages.services.messages(context).send(MessageDraft(body: body, parentMessageID: parent), to: id, by: user.id) { _ in
                StoredResponse(status: HTTPStatus.created.code, body: [])
            }
            let anchor = result.message.map { "#m-\($0.messageID.apiString)" } ?? ""
            return .redirect(to: "/conversations/\(id.apiString)\(anchor)", flash: .success(parent == nil ? "Message sent." : "Reply sent."), cookies: pages.flashes)
        } catch let error as MessagingError where error.kind == .invalid {
            var fields = error.fields ?? [:]
            if let parentErrors = fields.removeValue(forKey: "parent_message") { fields["message_body", default: []] += parentErrors }
            let compose = ComposeView(
                body: FieldView("message_body", value: body, errors: fields), parentID: parent?.apiString ?? "",
                isReply: parent != nil, replyingTo: parentSender)
            return try renderConversation(request, context, viewerID: user.id, compose: compose)
        } catch let error as MessagingError where error.kind == .rateLimited {
            let seconds = error.rateLimit?.retryAfterSeconds ?? 60
            let view = ThrottledView(
                heading: "You’re sending messages quickly",
                explanation: "To keep conversations pleasant, everyone can send \(pages.configuration.messaging.messageRateLimit) messages per \(Wait.describe(pages.configuration.messaging.messageRateWindow.wholeSeconds)). Your message was not sent; you can send it in \(Wait.describe(seconds)).",
                conversationURL: "/conversations/\(id.apiString)", action: "/conversations/\(id.apiString)/messages",
                body: body, parentID: parent?.apiString ?? "", hasParent: parent != nil)
            var response = pages.render("pages/throttled", title: "Too many messages", view: view, visit: try pages.visit(request, context), status: .tooManyRequests)
            response.headers["Retry-After"] = String(max(1, seconds))
            return response
        }
    }
}
