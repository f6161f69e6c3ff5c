import Web

/// For the pages (every path outside `/api/`): a `__Host-parley_session` cookie naming a live
/// session puts its user in `context.user`. A cookie that names nothing live (expired, idle,
/// logged out elsewhere) is deleted in the response. The API keeps its Bearer tokens only:
/// a cookie never authenticates an API call, so the API needs no CSRF defence.
///
/// On a conversation page, the check of a session this process has seen rides with the page's
/// read (``DeferredSession``), and is settled before the answer leaves.
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
        if request.method == .get, PagePaths.readsWithSessionCheck(request.path),
           let deferred = service.deferredResume(token: token, context: context) {
            return try respond(request, context, next: next, deferred: deferred)
        }
        if let session = try service.resume(token: token) {
            context.user = session.user
            context.sessionUnreadNotifications = session.unreadNotifications
            return try next(request, context)
        }
        return try anonymous(request, context, next: next)
    }

    /// `next` with the session check riding in its first read; a refused session gets what an
    /// anonymous request gets (a GET, so answering it again changes nothing).
    private func respond(_ request: Request, _ context: AppContext, next: Responder<AppContext>, deferred: DeferredSession) throws -> Response {
        context.deferredSession = deferred
        deferred.start()
        defer { deferred.finish() }
        let response: Response
        do {
            response = try next(request, context)
        } catch {
            if try deferred.settle() == nil { return try anonymous(request, context, next: next) }
            throw error
        }
        if try deferred.settle() == nil { return try anonymous(request, context, next: next) }
        return response
    }

    /// The request as anonymous; ``PageMiddleware`` deletes its cookie in whatever answers it
    /// (a page, or the log-in redirect of one that needs a user).
    private func anonymous(_ request: Request, _ context: AppContext, next: Responder<AppContext>) throws -> Response {
        context.deferredSession = nil
        context.user = nil
        context.sessionUnreadNotifications = nil
        context.sessionCookieIsDead = true
        return try next(request, context)
    }
}
