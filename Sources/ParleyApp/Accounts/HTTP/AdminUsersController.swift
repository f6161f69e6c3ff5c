import FoundationEssentials
import Web

/// `GET /api/admin/users/` (paginated, `?search=` as for `/api/users/`) and
/// `GET/PATCH /api/admin/users/{id}/` (`{"role": "host"}`): admins only — 401 when anonymous,
/// 403 for guests and hosts, checked before anything else is read.
struct AdminUsersController {
    let services: AppServices

    func register(on router: inout Router<AppContext>) {
        router.drf(.get, "/api/admin/users/") { request, context in try list(request, context) }
        router.drf(.get, "/api/admin/users/:id/") { request, context in try show(request, context) }
        router.drf(.patch, "/api/admin/users/:id/") { request, context in try update(request, context) }
    }

    func list(_ request: Request, _ context: AppContext) throws -> Response {
        _ = try context.requireAdmin()
        let page = try services.accounts(context).search(request.query["search"], page: try Pagination.pageRequest(request.query))
        return try .json(Pagination.body(page.map(UserResponse.init), request: request))
    }

    func show(_ request: Request, _ context: AppContext) throws -> Response {
        _ = try context.requireAdmin()
        return try .json(UserResponse(account: try services.accounts(context).profile(id: try userID(request))))
    }

    func update(_ request: Request, _ context: AppContext) throws -> Response {
        let admin = try context.requireAdmin()
        let id = try userID(request)
        let body = try request.decode(RoleUpdateRequest.self)
        return try .json(UserResponse(account: try services.accounts(context).setRole(of: id, to: body.role, by: admin.id)))
    }

    /// A malformed id names no user: 404, as Django's `<uuid:pk>` route answers.
    private func userID(_ request: Request) throws -> UUID {
        guard let text = request.parameter("id"), let id = UUID(apiString: text) else { throw HTTPError(.notFound) }
        return id
    }
}
