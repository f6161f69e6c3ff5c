import FoundationEssentials
import Web

/// `/api/notifications/…`: the caller's notifications, newest first.
struct NotificationController {
    let services: AppServices

    struct MarkedAll: Encodable {
        var markedRead: Int
        enum CodingKeys: String, CodingKey { case markedRead = "marked_read" }
    }

    func register(on router: inout Router<AppContext>) {
        router.drf(.get, "/api/notifications/", use: list)
        router.drf(.post, "/api/notifications/read-all/", use: markAllRead)
        router.drf(.post, "/api/notifications/:id/read/", use: markRead)
    }

    @Sendable func list(_ request: Request, _ context: AppContext) throws -> Response {
        let userID = try context.requireUserID()
        let unread = try request.query.bool("unread")
        let page = try services.notifications(context).list(for: userID, unread: unread, page: try Pagination.pageRequest(request.query))
        return try .json(Pagination.body(page.map(NotificationJSON.init), request: request))
    }

    @Sendable func markRead(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try context.requireUser()
        return try .json(NotificationJSON(try services.notifications(context).markRead(try request.uuidParameter(), by: user)))
    }

    @Sendable func markAllRead(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try context.requireUser()
        return try .json(MarkedAll(markedRead: try services.notifications(context).markAllRead(by: user)))
    }
}
