import Web

/// simplejwt's endpoints: `POST /api/token/` (log-in), `POST /api/token/refresh/` (rotation),
/// and `POST /api/token/revoke/` (log-out: the refresh token's whole family).
struct TokenController {
    let services: AppServices

    /// `username` takes a username or an email; `email` takes only an email.
    struct LoginRequest: Decodable {
        var username: String?
        var email: String?
        var password: String?
    }

    struct RefreshRequest: Decodable {
        var refresh: String?
    }

    struct PairResponse: Encodable {
        var access: String
        var refresh: String
    }

    func register(on router: inout Router<AppContext>) {
        router.drf(.post, "/api/token/") { request, context in try login(request, context) }
        router.drf(.post, "/api/token/refresh/") { request, context in try refresh(request, context) }
        router.drf(.post, "/api/token/revoke/") { request, context in try revoke(request, context) }
    }

    func login(_ request: Request, _ context: AppContext) throws -> Response {
        let body = try request.decode(LoginRequest.self)
        let emailOnly = body.username == nil && body.email != nil
        let pair = try services.tokens(context).login(
            identifier: emailOnly ? body.email : body.username, emailOnly: emailOnly, password: body.password,
            clientAddress: request.remoteAddress)
        return try .json(PairResponse(access: pair.access, refresh: pair.refresh))
    }

    func refresh(_ request: Request, _ context: AppContext) throws -> Response {
        let body = try request.decode(RefreshRequest.self)
        let pair = try services.tokens(context).refresh(body.refresh)
        return try .json(PairResponse(access: pair.access, refresh: pair.refresh))
    }

    func revoke(_ request: Request, _ context: AppContext) throws -> Response {
        let body = try request.decode(RefreshRequest.self)
        try services.tokens(context).revoke(body.refresh)
        return Response(status: .noContent)
    }
}
