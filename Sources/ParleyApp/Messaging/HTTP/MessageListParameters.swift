import FoundationEssentials
import Web

/// Reads the list parameters the message endpoints share: filters, ordering, and the window
/// (`?page=` / `?page_size=`, or a keyset `?after=` / `?before=` message id).
enum MessageListParameters {
    static func filter(_ query: URLEncodedForm) throws(HTTPError) -> MessageFilter {
        var filter = MessageFilter()
        filter.senderID = try query.uuid("sender")
        filter.sentFrom = try query.dateTime("start_date")
        filter.sentUntil = try query.dateTime("end_date", endOfDay: true)
        return filter
    }

    static func ordering(_ query: URLEncodedForm) throws(HTTPError) -> MessageOrdering {
        switch query["ordering"] {
        case nil, "", "sent_at": return .oldestFirst
        case "-sent_at": return .newestFirst
        case let other?:
            throw .validation(["ordering": ["Select a valid choice. \(other) is not one of the available choices: sent_at, -sent_at."]])
        }
    }

    static func window(_ query: URLEncodedForm) throws(HTTPError) -> MessageWindow {
        let after = query["after"].flatMap { $0.isEmpty ? nil : $0 }
        let before = query["before"].flatMap { $0.isEmpty ? nil : $0 }
        let size = try Pagination.pageSize(query)
        switch (after, before) {
        case (nil, nil):
            return .page(try Pagination.pageRequest(query))
        case (let after?, nil):
            guard let id = UUID(apiString: after) else { throw HTTPError(.notFound, "Invalid cursor.") }
            return .after(id, limit: size)
        case (nil, let before?):
            guard let id = UUID(apiString: before) else { throw HTTPError(.notFound, "Invalid cursor.") }
            return .before(id, limit: size)
        case (_?, _?):
            throw HTTPError(.badRequest, "Use either after or before, not both.")
        }
    }

    /// The body of a listing: a numbered page, or a keyset page whose links carry cursors.
    static func response(_ listing: MessageListing, request: Request) throws -> Response {
        switch listing {
        case .page(let page):
            return .json(Pagination.body(page.map(MessageJSON.init), request: request))
        case .cursor(let page):
            let next = page.hasNext ? page.items.last.map {
                Pagination.link(request, setting: [("page", nil), ("before", nil), ("after", $0.messageID.apiString)])
            } : nil
            let previous = page.hasPrevious ? page.items.first.map {
                Pagination.link(request, setting: [("page", nil), ("after", nil), ("before", $0.messageID.apiString)])
            } : nil
            return .json(CursorPageBody(next: next, previous: previous, results: page.items.map(MessageJSON.init)))
        }
    }
}
