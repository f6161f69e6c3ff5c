import Web

/// "Newer" / "Older" links for a numbered list (`?page=`), keeping the other query parameters.
struct PaginationView {
    let hasPrevious: Bool
    let previousURL: String
    let hasNext: Bool
    let nextURL: String
    let isNeeded: Bool
    let number: Int

    init<Item>(_ page: Page<Item>, path: String, query: URLEncodedForm) {
        hasPrevious = page.hasPrevious
        hasNext = page.hasNext
        number = page.request.number
        previousURL = page.hasPrevious ? Self.link(path, query, page: page.request.number - 1) : ""
        nextURL = page.hasNext ? Self.link(path, query, page: page.request.number + 1) : ""
        isNeeded = hasPrevious || hasNext
    }

    /// `?page=` (1 when absent); anything but a positive whole number, or a page whose offset
    /// does not fit in an `Int`, is a 404, as in the API.
    static func pageRequest(_ query: URLEncodedForm, size: Int) throws(HTTPError) -> PageRequest {
        guard let text = query["page"], !text.isEmpty else { return PageRequest(number: 1, size: size) }
        // Not a number, below 1, or so far that its offset would overflow an Int.
        guard let number = Int(text), let page = PageRequest(validating: number, size: size) else {
            throw HTTPError(.notFound, "That page does not exist.")
        }
        return page
    }

    private static func link(_ path: String, _ query: URLEncodedForm, page: Int) -> String {
        var pairs = query.pairs.filter { $0.name != "page" }
        if page > 1 { pairs.append((name: "page", value: String(page))) }
        let encoded = URLEncodedForm(pairs: pairs).encoded
        return encoded.isEmpty ? path : path + "?" + encoded
    }
}
