import Web

/// `POST /api/register/`, `GET/PATCH/DELETE /api/users/me/`, `GET /api/users/?search=`.
struct AccountsController {
    let services: AppServices

    func register(on router: inout Router<AppContext>) {
        router.drf(.post, "/api/register/") { request, context in try register(request, context) }
        router.drf(.get, "/api/users/me/") { request, context in try me(request, context) }
        router.drf(.patch, "/api/users/me/") { request, context in try updateMe(request, context) }
        router.drf(.delete, "/api/users/me/") { request, context in try deleteMe(request, context) }
        router.drf(.get, "/api/users/") { request, context in try search(request, context) }
    }

    /// 201 with the new user (role `guest`).
    func register(_ request: Request, _ context: AppContext) throws -> Response {
        let body = try request.decode(RegisterRequest.self)
        let account = try services.accounts(context).register(body.input, clientAddress: request.remoteAddress)
        return try .json(UserResponse(account: account), status: .created)
    }

    func me(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try context.requireUser()
        return try .json(UserResponse(account: try services.accounts(context).profile(id: user.id)))
    }

    func updateMe(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try context.requireUser()
        let body = try request.decode(ProfileUpdateRequest.self)
        return try .json(UserResponse(account: try services.accounts(context).updateProfile(id: user.id, body.input)))
    }

    /// 204; the account and everything that cascades from it are gone, its tokens with it.
    func deleteMe(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try context.requireUser()
        try services.accounts(context).deleteAccount(id: user.id)
        return Response(status: .noContent)
    }

    /// People to start a conversation with: public fields only, DRF page shape.
    func search(_ request: Request, _ context: AppContext) throws -> Response {
        _ = try context.requireUser()
        let page = try services.accounts(context).search(request.query["search"], page: try Pagination.pageRequest(request.query))
        return try .json(Pagination.body(page.map(PublicUserResponse.init), request: request))
    }
}
