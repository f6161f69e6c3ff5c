import Web

extension Router where Context == AppContext {
    /// Registers a route the way Django REST framework clients expect it: the canonical pattern
    /// ends in a slash (`/api/register/`), and the same path without the slash works too.
    ///
    /// - POST, PUT, PATCH and DELETE without the slash run the same handler (a client's body
    ///   would be lost in a redirect, and DRF clients often drop the slash).
    /// - GET and HEAD without the slash answer `301 Moved Permanently` to the slashed URL, query
    ///   string kept, as Django's `APPEND_SLASH` does.
    ///
    ///     router.drf(.post, "/api/register/") { request, context in … }
    ///     router.drf(.patch, "/api/admin/users/:id/") { request, context in … }
    public mutating func drf(_ method: HTTPMethod, _ pattern: String, use handler: @escaping Handler) {
        precondition(pattern.hasSuffix("/") && pattern.count > 1, "a DRF route pattern ends in a slash: \(pattern)")
        on(method, pattern, use: handler)
        let bare = String(pattern.dropLast())
        if method == .get || method == .head {
            on(method, bare) { request, _ in
                .redirect(to: DRFPath.appendingSlash(to: request.uri), status: .movedPermanently)
            }
        } else {
            on(method, bare, use: handler)
        }
    }
}

enum DRFPath {
    /// `/api/users?search=a` → `/api/users/?search=a`, from the raw (still percent-encoded) target.
    static func appendingSlash(to uri: String) -> String {
        guard let question = uri.firstIndex(of: "?") else { return uri + "/" }
        return uri[..<question] + "/" + uri[question...]
    }
}
