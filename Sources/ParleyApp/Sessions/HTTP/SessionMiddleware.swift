import Web

/// For the pages (every path outside `/api/`): a `__Host-parley_session` cookie naming a live
/// session puts its user in `context.user`. A cookie that names nothing live (expired, idle,
/// logged out elsewhere) is deleted in the response. The API keeps its Bearer tokens only:
/// a cookie never authenticates an API call, so the API needs no CSRF defence.
struct SessionMiddleware: Middleware {
    let services: AppServices

    func handle(_ request: Request, context: AppContext, next: Responder<AppContext>) throws -> Response {
        // A request without cookies is passed on without looking at its path.
        guard request.cookies.count > 0, PagePaths.isPage(request.path),
              let token = request.cookies[SessionCookies.session], !token.isEmpty
        else {
            return try next(request, context)
        }
        let service = services.sessions(context)
        if let session = try service.resume(token: token) {
            context.user = session.user
            context.sessionUnreadNotifications = session.unreadNotifications
            return try next(request, context)
        }
        var response = try next(request, context)
        if !response.setsCookie(SessionCookies.session) {
            response.setCookie(SessionCookies.expired(SessionCookies.session))
        }
        return response
    }
}
