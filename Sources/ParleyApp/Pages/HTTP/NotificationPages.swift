import FoundationEssentials
import Web

/// The signed-in user's notifications, newest first: who wrote in which conversation; mark one
/// or all read.
struct NotificationPages {
    let pages: Pages

    static let perPage = 20

    func register(on router: inout Router<AppContext>) {
        router.get("/notifications") { request, context in try list(request, context) }
        router.post("/notifications/read-all") { request, context in try markAllRead(request, context) }
        router.post("/notifications/:id/read") { request, context in try markRead(request, context) }
    }

    struct NotificationsView {
        let notifications: [NotificationView]
        let isEmpty: Bool
        let hasUnread: Bool
        let pagination: PaginationView
        let pageNumber: Int
    }

    struct NotificationView {
        let id: String
        let sender: String
        /// "wrote", or "added you" when the recipient was added to the conversation.
        let verb: String
        /// "in " before a conversation's name; empty before "to you".
        let preposition: String
        let conversation: String
        let url: String
        let preview: String
        let created: TimeView
        let isUnread: Bool
    }

    func list(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try pages.requireUser(context, next: request.uri)
        let page = try pages.services.notifications(context).list(for: user.id, unread: nil, page: try PaginationView.pageRequest(request.query, size: Self.perPage))
        let labels = try pages.services.conversations(context).labels(of: page.items.map(\.conversationID), for: user)
        let now = pages.now()
        let rows = page.items.map { notification in
            let label = labels[notification.conversationID]
            let (preposition, linkText) = Self.phrase(
                label, sender: notification.sender.username, viewer: user.username, isAddition: notification.isAddition)
            return NotificationView(
                id: notification.notificationID.apiString, sender: notification.sender.username,
                verb: notification.isAddition ? "added you" : "wrote", preposition: preposition, conversation: linkText,
                url: "/conversations/\(notification.conversationID.apiString)#m-\(notification.messageID.apiString)",
                preview: ConversationNaming.preview(notification.messagePreview), created: TimeView(notification.createdAt, now: now),
                isUnread: !notification.isRead)
        }
        let view = NotificationsView(
            notifications: rows, isEmpty: rows.isEmpty, hasUnread: rows.contains(where: \.isUnread),
            pagination: PaginationView(page, path: "/notifications", query: request.query), pageNumber: page.request.number)
        var nav = NavView()
        nav.notifications = true
        return pages.render("pages/notifications", title: "Notifications", view: view, visit: try pages.visit(request, context), nav: nav)
    }

    func markRead(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try pages.requireUser(context, next: "/notifications")
        _ = try pages.services.notifications(context).markRead(try request.uuidParameter(), by: user)
        return .redirect(to: Self.back(try request.form()), flash: .success("Notification marked as read."), cookies: pages.flashes)
    }

    func markAllRead(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try pages.requireUser(context, next: "/notifications")
        let count = try pages.services.notifications(context).markAllRead(by: user)
        let text = count == 0 ? "There was nothing unread." : count == 1 ? "1 notification marked as read." : "\(count) notifications marked as read."
        return .redirect(to: "/notifications", flash: .success(text), cookies: pages.flashes)
    }

    /// "bob wrote in *Weekend hike*", "bob wrote in *your conversation with carol*", or, when
    /// it is just the two of you and untitled, "bob wrote *to you*". An addition: "alice added
    /// you to *Weekend hike*", or to "a conversation with bob, carol" when untitled.
    static func phrase(_ label: ConversationLabel?, sender: String, viewer: String, isAddition: Bool = false) -> (String, String) {
        let preposition = isAddition ? "to " : "in "
        guard let label else { return (preposition, "a conversation") }
        let title = label.title.trimmingWhitespaceAndNewlines()
        if !title.isEmpty { return (preposition, title) }
        let others = label.usernames.filter { $0 != viewer && $0 != sender }
        if isAddition { return (preposition, others.isEmpty ? "a conversation" : "a conversation with " + others.joined(separator: ", ")) }
        return others.isEmpty ? ("", "to you") : (preposition, "your conversation with " + ([sender] + others).joined(separator: ", "))
    }

    /// Back to the page of the list the button was on.
    private static func back(_ form: URLEncodedForm) -> String {
        guard let text = form["page"], let number = Int(text), number > 1 else { return "/notifications" }
        return "/notifications?page=\(number)"
    }
}
