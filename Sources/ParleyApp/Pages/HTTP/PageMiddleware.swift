import FoundationEssentials
import Web

/// The outermost page middleware (every path outside `/api/`):
///
/// - Security headers on every HTML page and redirect: a CSP that allows script from this site only (live.js),
///   no framing, no plugins, forms only to this site; `X-Frame-Options`, `nosniff`, a
///   referrer policy, and `Cache-Control: no-store` (pages carry CSRF tokens and private
///   data; the back button after log-out must not show them).
/// - Errors become pages in the site's layout, with the visitor's navigation (the session
///   middleware inside it has run by then). Unknown errors are logged with their detail and
///   the request id, and shown as a plain 500.
/// - ``LoginRequired`` becomes a redirect to the log-in form that comes back afterwards.
/// - A session cookie that names no live session (``SessionMiddleware``) is deleted, in the
///   redirect or error page too.
struct PageMiddleware: Middleware {
    let pages: Pages

    static let securityHeaders: HTTPHeaders = [
        "Content-Security-Policy": "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    ]

    func handle(_ request: Request, context: AppContext, next: Responder<AppContext>) throws -> Response {
        guard PagePaths.isPage(request.path) else { return try next(request, context) }
        var response: Response
        do {
            response = try next(request, context)
        } catch let required as LoginRequired {
            let target = required.next.map { "/login?" + URLEncodedForm(pairs: [("next", $0)]).encoded } ?? "/login"
            response = .redirect(to: target, flash: .info("Please log in to continue."), cookies: pages.flashes)
        } catch let error as any HTTPResponseError {
            response = errorResponse(error.status, error.publicMessage, request: request, context: context)
            for field in error.headers where field.name.lowercased() != "www-authenticate" {
                response.headers[field.name] = field.value
            }
        } catch {
            context.logger.error("internal error", metadata: ["error": "\(logDescription(of: error))"])
            response = errorResponse(.internalServerError, "", request: request, context: context)
        }
        if context.sessionCookieIsDead, !response.setsCookie(SessionCookies.session) {
            response.setCookie(SessionCookies.expired(SessionCookies.session))
        }
        let contentType = response.headers["Content-Type"] ?? ""
        if contentType.hasPrefix("text/html") || (300..<400).contains(response.status.code) {
            response.headers.set(Self.securityHeaders)
        }
        return response
    }

    private func errorResponse(_ status: HTTPStatus, _ message: String, request: Request, context: AppContext) -> Response {
        // The visit needs the database (the notification badge); if that is what failed, the
        // page is rendered for an unknown visitor instead.
        let visit = (try? pages.visit(request, context)) ?? .unknown
        var response = Response.html(pages.errorHTML(status, message, visit: visit), status: status)
        for cookie in visit.cookies { response.setCookie(cookie) }
        return response
    }
}
