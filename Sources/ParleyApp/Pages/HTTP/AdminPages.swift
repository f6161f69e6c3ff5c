import FoundationEssentials
import Web

/// `/admin/users`: every account (searchable, paged) and its role, which admins change. Anyone
/// else signed in gets a 403 page; anonymous visitors are sent to log in.
struct AdminPages {
    let pages: Pages

    static let perPage = 50

    func register(on router: inout Router<AppContext>) {
        router.get("/admin/users") { request, context in try list(request, context) }
        router.post("/admin/users/:id/role") { request, context in try setRole(request, context) }
    }

    struct UsersView {
        let search: String
        let users: [UserRowView]
        let isEmpty: Bool
        let total: Int
        let pagination: PaginationView
        let pageNumber: Int
    }

    struct UserRowView {
        let id: String
        let username: String
        let name: String
        let email: String
        let role: String
        let joined: TimeView
        let isSelf: Bool
        let roles: [RoleOption]
    }

    struct RoleOption {
        let value: String
        let isSelected: Bool
    }

    func list(_ request: Request, _ context: AppContext) throws -> Response {
        let admin = try pages.requireAdmin(context, next: request.uri)
        let search = request.query["search"] ?? ""
        let page: Page<Account>
        do {
            page = try pages.services.accounts(context).search(search, page: try PaginationView.pageRequest(request.query, size: Self.perPage))
        } catch let error as AccountError where error.fieldErrors != nil {
            throw HTTPError(.badRequest, error.fieldErrors?["search"]?.first ?? "Invalid search.")
        }
        let now = pages.now()
        let rows = page.items.map { account in
            UserRowView(
                id: account.id.apiString, username: account.username,
                name: [account.firstName, account.lastName].filter { !$0.isEmpty }.joined(separator: " "),
                email: account.email, role: account.role.rawValue, joined: TimeView(account.createdAt, now: now),
                isSelf: account.id == admin.id,
                roles: Role.allCases.map { RoleOption(value: $0.rawValue, isSelected: $0 == account.role) })
        }
        let view = UsersView(
            search: search, users: rows, isEmpty: rows.isEmpty, total: page.total,
            pagination: PaginationView(page, path: "/admin/users", query: request.query), pageNumber: page.request.number)
        var nav = NavView()
        nav.admin = true
        return pages.render("pages/admin-users", title: "Users", view: view, visit: try pages.visit(request, context), nav: nav)
    }

    func setRole(_ request: Request, _ context: AppContext) throws -> Response {
        let admin = try pages.requireAdmin(context, next: "/admin/users")
        let id = try request.uuidParameter()
        let form = try request.form()
        let back = Self.back(form)
        do {
            let account = try pages.services.accounts(context).setRole(of: id, to: form["role"].map { .value($0) } ?? .absent, by: admin.id)
            return .redirect(to: back, flash: .success("\(account.username) is now \(account.role == .admin ? "an" : "a") \(account.role.rawValue)."), cookies: pages.flashes)
        } catch let error as AccountError where error.fieldErrors != nil {
            let text = error.fieldErrors?["role"]?.first ?? "The role was not changed."
            return .redirect(to: back, flash: .error(text), cookies: pages.flashes)
        }
    }

    /// The list as it was (search and page), from the form's hidden fields.
    private static func back(_ form: URLEncodedForm) -> String {
        var pairs: [(name: String, value: String)] = []
        if let search = form["search"], !search.isEmpty { pairs.append(("search", search)) }
        if let text = form["page"], let number = Int(text), number > 1 { pairs.append(("page", String(number))) }
        return pairs.isEmpty ? "/admin/users" : "/admin/users?" + URLEncodedForm(pairs: pairs).encoded
    }
}
