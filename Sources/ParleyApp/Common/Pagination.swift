import Web

/// Django REST framework's page-number pagination over HTTP: reading `?page=` and `?page_size=`,
/// and writing `{"count", "next", "previous", "results"}` with absolute links.
///
/// - `page` is 1-based; anything that is not a positive whole number, or a page past the end
///   (including one whose offset would not fit in an `Int`), is `404 {"detail": "Invalid page."}`
///   (as DRF answers).
/// - `page_size` defaults to 20 and is capped at 100 (as DRF's `max_page_size`); a value that
///   is not a positive whole number is a 400 (`{"page_size": ["A valid integer is required."]}`),
///   as the document's `integer, minimum 1` promises, where DRF would ignore it: a client that
///   sends `page_size=null` learns of its bug instead of getting 20 items silently.
/// - `next`/`previous` are `request.baseURL` + the path + the query with `page` replaced
///   (and removed for page 1, as DRF does), every other parameter kept.
enum Pagination {
    static let defaultPageSize = 20
    static let maxPageSize = 100
    static let invalidPage = HTTPError(.notFound, "Invalid page.")

    static func pageRequest(_ query: URLEncodedForm) throws(HTTPError) -> PageRequest {
        var number = 1
        if let text = query["page"] {
            // DRF also accepts "last"; it needs the count first, so it is not offered here.
            // Too large for an Int (`9223372036854775808`, 10 kB of digits) is past the end too.
            guard let value = Int(text) else { throw invalidPage }
            number = value
        }
        // Below 1, or so far that its offset overflows: a page that cannot exist.
        // (The size first: a bad size is a 400 whatever the page.)
        let size = try pageSize(query)
        guard let page = PageRequest(validating: number, size: size) else { throw invalidPage }
        return page
    }

    static func pageSize(_ query: URLEncodedForm) throws(HTTPError) -> Int {
        guard let text = query["page_size"] else { return defaultPageSize }
        if let value = Int(text) {
            guard value >= 1 else { throw .validation(["page_size": ["Ensure this value is greater than or equal to 1."]]) }
            return min(value, maxPageSize)
        }
        // Digits only, past Int's range: simply more than the cap.
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { return maxPageSize }
        throw .validation(["page_size": ["A valid integer is required."]])
    }

    /// The response body of one page.
    /// (`number + 1` only when `hasNext`: then `offset + count < total`, so the number is far
    /// below `Int.max`.)
    static func body<Item: Encodable>(_ page: Page<Item>, request: Request) -> PageBody<Item> {
        let next = page.hasNext ? link(request, setting: [("page", String(page.request.number + 1))]) : nil
        var previous: String?
        if page.hasPrevious {
            let number = page.request.number - 1
            previous = link(request, setting: [("page", number == 1 ? nil : String(number))])
        }
        return PageBody(count: page.total, next: next, previous: previous, results: page.items)
    }

    /// The absolute URL of this request with some query parameters replaced (nil removes one).
    /// Parameters keep their order; new ones go at the end.
    static func link(_ request: Request, setting changes: [(String, String?)]) -> String {
        var pairs = request.query.pairs
        for (name, value) in changes {
            if let value {
                if let index = pairs.firstIndex(where: { $0.name == name }) {
                    pairs[index].value = value
                    pairs.removeAll { $0.name == name && $0.value != value }
                } else {
                    pairs.append((name: name, value: value))
                }
            } else {
                pairs.removeAll { $0.name == name }
            }
        }
        // The path as sent, up to the first `?` byte (as `Request` finds it): String's `split`
        // walks Characters, a cost on every list page (bench/README.md, "Request path").
        let rawPath = request.uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(request.uri[..<$0]) } ?? request.uri
        let query = URLEncodedForm(pairs: pairs).encoded
        return request.baseURL + rawPath + (query.isEmpty ? "" : "?" + query)
    }
}

/// `{"count": N, "next": url|null, "previous": url|null, "results": [...]}`.
struct PageBody<Item: Encodable>: Encodable {
    var count: Int
    var next: String?
    var previous: String?
    var results: [Item]

    enum CodingKeys: String, CodingKey { case count, next, previous, results }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(next, forKey: .next)  // null, not omitted
        try container.encode(previous, forKey: .previous)
        try container.encode(results, forKey: .results)
    }
}

/// A page of objects that write themselves: through ``JSONObjectWriter`` as their members are,
/// not through `Encodable`'s containers, which checked every element's conformance at run time
/// (bench/README.md, "API requests").
extension PageBody: JSONObjectWritable where Item: JSONObjectWritable {
    func writeJSONObject(to object: inout JSONObjectWriter) {
        object.member("count", count)
        object.member("next", next)
        object.member("previous", previous)
        object.member("results", results)
    }
}

/// A keyset page, as DRF's CursorPagination shapes it: `{"next", "previous", "results"}`,
/// no count.
struct CursorPageBody<Item: Encodable>: Encodable {
    var next: String?
    var previous: String?
    var results: [Item]

    enum CodingKeys: String, CodingKey { case next, previous, results }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(next, forKey: .next)
        try container.encode(previous, forKey: .previous)
        try container.encode(results, forKey: .results)
    }
}

extension CursorPageBody: JSONObjectWritable where Item: JSONObjectWritable {
    func writeJSONObject(to object: inout JSONObjectWriter) {
        object.member("next", next)
        object.member("previous", previous)
        object.member("results", results)
    }
}
