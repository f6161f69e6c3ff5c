import Web

/// Refuses, with a 403 page, any page request with an unsafe method (POST and the rest) whose
/// form has no valid `csrf_token` for the cookies it carries (see ``CSRFTokens``). Runs
/// before any handler reads the form.
struct CSRFMiddleware: Middleware {
    let tokens: CSRFTokens

    static let refusal = HTTPError(
        .forbidden,
        "This form could not be accepted: it has expired or did not come from this site. Go back, reload the page and try again. (Cookies must be enabled.)")

    func handle(_ request: Request, context: AppContext, next: Responder<AppContext>) throws -> Response {
        // The method first: most requests are GETs, and it is cheaper than the path's prefix.
        guard !Self.isSafe(request.method), PagePaths.isPage(request.path) else {
            return try next(request, context)
        }
        let submitted = (try? request.form())?[CSRFTokens.field]
        guard tokens.isValid(submitted, for: request) else {
            context.logger.notice("CSRF token missing or invalid", metadata: ["path": "\(request.path)"])
            throw Self.refusal
        }
        return try next(request, context)
    }

    static func isSafe(_ method: HTTPMethod) -> Bool {
        method == .get || method == .head || method == .options
    }
}
