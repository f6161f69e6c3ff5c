import FoundationEssentials
import Web

/// `/account`: the profile, a new password (which ends every other session and API log-in),
/// the API log-ins (refresh-token families) with a button to end each, and deleting the account (password asked again; everything the API deletion removes goes,
/// and the browser is logged out).
struct AccountPages {
    let pages: Pages

    func register(on router: inout Router<AppContext>) {
        router.get("/account") { request, context in try show(request, context) }
        router.post("/account") { request, context in try updateProfile(request, context) }
        router.post("/account/password") { request, context in try changePassword(request, context) }
        router.post("/account/delete") { request, context in try delete(request, context) }
        router.post("/account/api-logins/end") { request, context in try endAPILogin(request, context) }
    }

    struct AccountView {
        let username: FieldView
        let email: FieldView
        let firstName: FieldView
        let lastName: FieldView
        let phoneNumber: FieldView
        let role: String
        let memberSince: TimeView
        let currentPassword: FieldView
        let newPassword: FieldView
        let newPasswordConfirmation: FieldView
        let deletePassword: FieldView
        let minimumLength: Int
        let apiLogins: [APILoginView]
        let hasAPILogins: Bool
        let apiLoginDays: Int
        let passwordError: FormErrorView?
        let deleteError: FormErrorView?
    }

    /// One API log-in: when it began, when its token was last refreshed, and its id for the
    /// form that ends it.
    struct APILoginView {
        let id: String
        let started: TimeView
        let lastUsed: TimeView
    }

    /// What to put back into the forms after a refused submission.
    private struct Refusal {
        var profile: URLEncodedForm?
        var errors: [String: [String]] = [:]
        var passwordError: String?
        var deleteError: String?
    }

    func show(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try pages.requireUser(context, next: "/account")
        return try render(request, context, user: user, refusal: Refusal())
    }

    func updateProfile(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try pages.requireUser(context, next: "/account")
        let form = try request.form()
        var input = ProfileUpdateInput()
        input.username = form["username"].map { .value($0) } ?? .absent
        input.email = form["email"].map { .value($0) } ?? .absent
        input.firstName = form["first_name"].map { .value($0) } ?? .absent
        input.lastName = form["last_name"].map { .value($0) } ?? .absent
        input.phoneNumber = form["phone_number"].map { $0.trimmingWhitespace().isEmpty ? .null : .value($0) } ?? .absent
        do {
            _ = try pages.services.accounts(context).updateProfile(id: user.id, input)
            return .redirect(to: "/account", flash: .success("Profile saved."), cookies: pages.flashes)
        } catch let error as AccountError where error.fieldErrors != nil {
            return try render(request, context, user: user, refusal: Refusal(profile: form, errors: error.fieldErrors ?? [:]))
        }
    }

    func changePassword(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try pages.requireUser(context, next: "/account")
        let form = try request.form()
        let credentials: AccountCredentials
        do {
            credentials = try pages.services.tokens(context).confirmPassword(of: user.id, password: form["current_password"], clientAddress: request.remoteAddress)
        } catch let error as AccountError {
            return try refuse(error, request, context, user: user, field: "current_password", password: true)
        }
        do {
            // One transaction: the new hash, every session of the user gone, every API log-in revoked.
            try pages.services.accounts(context).changePassword(
                of: user.id, currentHash: credentials.passwordHash, newPassword: form["new_password"], confirmation: form["new_password_confirmation"],
                store: pages.services.passwordChanges(context))
        } catch let error as AccountError where error.fieldErrors != nil {
            return try render(request, context, user: user, refusal: Refusal(errors: error.fieldErrors ?? [:], passwordError: "Your password was not changed."))
        }
        // This browser gets a fresh session.
        let token = try pages.services.sessions(context).start(for: user.id)
        var response = Response.redirect(to: "/account", flash: .success("Password changed. You have been logged out everywhere else."), cookies: pages.flashes)
        response.setCookie(SessionCookies.session(token, configuration: pages.configuration.sessions))
        return response
    }

    /// Ends one of the user's API log-ins at once: its refresh token and its access tokens.
    func endAPILogin(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try pages.requireUser(context, next: "/account")
        let form = try request.form()
        guard let family = form["login"].flatMap(UUID.init(apiString:)) else {
            throw HTTPError(.badRequest, "The log-in to end is missing or malformed.")
        }
        guard try pages.services.tokens(context).endLogin(family, of: user.id) else {
            return .redirect(to: "/account#api-logins", flash: .info("That API log-in had already ended."), cookies: pages.flashes)
        }
        return .redirect(to: "/account#api-logins", flash: .success("API log-in ended. Its tokens no longer work."), cookies: pages.flashes)
    }

    func delete(_ request: Request, _ context: AppContext) throws -> Response {
        let user = try pages.requireUser(context, next: "/account")
        let form = try request.form()
        do {
            _ = try pages.services.tokens(context).confirmPassword(of: user.id, password: form["password"], clientAddress: request.remoteAddress)
        } catch let error as AccountError {
            return try refuse(error, request, context, user: user, field: "delete_password", password: false)
        }
        // The same deletion as DELETE /api/users/me/: one statement, everything cascades,
        // sessions included.
        try pages.services.accounts(context).deleteAccount(id: user.id)
        var response = Response.redirect(to: "/", flash: .info("Your account and everything in it have been deleted. Goodbye!"), cookies: pages.flashes)
        response.setCookie(SessionCookies.expired(SessionCookies.session))
        return response
    }

    /// A wrong or missing password (or a throttled attempt) on the password or deletion form.
    private func refuse(_ error: AccountError, _ request: Request, _ context: AppContext, user: AuthenticatedUser, field: String, password: Bool) throws -> Response {
        var refusal = Refusal()
        var status = HTTPStatus.ok
        var retryAfter: Int?
        let summary = password ? "Your password was not changed." : "Your account was not deleted."
        switch error.kind {
        case .validation:
            refusal.errors[field] = ["Enter your current password."]
        case .invalidCredentials:
            refusal.errors[field] = ["That is not your current password."]
        case .throttled(let seconds):
            refusal.errors[field] = ["Too many wrong passwords. Wait \(Wait.describe(seconds)) and try again."]
            status = .tooManyRequests
            retryAfter = seconds
        case .busy(let seconds):
            refusal.errors[field] = ["Parley is busy right now. Please try again in a moment."]
            status = .serviceUnavailable
            retryAfter = seconds
        default:
            throw error
        }
        if password { refusal.passwordError = summary } else { refusal.deleteError = summary }
        var response = try render(request, context, user: user, refusal: refusal, status: status)
        if let retryAfter { response.headers["Retry-After"] = String(max(1, retryAfter)) }
        return response
    }

    private func render(_ request: Request, _ context: AppContext, user: AuthenticatedUser, refusal: Refusal, status: HTTPStatus = .ok) throws -> Response {
        let account = try pages.services.accounts(context).profile(id: user.id)
        let errors = refusal.errors
        let now = pages.now()
        let logins = try pages.services.tokens(context).activeLogins(of: user.id).map {
            APILoginView(id: $0.familyID.apiString, started: TimeView($0.startedAt, now: now), lastUsed: TimeView($0.lastUsedAt, now: now))
        }
        func value(_ name: String, _ stored: String) -> String { refusal.profile?[name] ?? stored }
        let view = AccountView(
            username: FieldView("username", value: value("username", account.username), errors: errors),
            email: FieldView("email", value: value("email", account.email), errors: errors),
            firstName: FieldView("first_name", value: value("first_name", account.firstName), errors: errors),
            lastName: FieldView("last_name", value: value("last_name", account.lastName), errors: errors),
            phoneNumber: FieldView("phone_number", value: value("phone_number", account.phoneNumber ?? ""), errors: errors),
            role: account.role.rawValue, memberSince: TimeView(account.createdAt, now: pages.now()),
            currentPassword: FieldView("current_password", errors: errors),
            newPassword: FieldView("new_password", errors: errors),
            newPasswordConfirmation: FieldView("new_password_confirmation", errors: errors),
            deletePassword: FieldView("delete_password", errors: errors),
            minimumLength: pages.configuration.auth.passwordMinimumLength,
            apiLogins: logins, hasAPILogins: !logins.isEmpty, apiLoginDays: pages.configuration.auth.refreshFamilyDays,
            passwordError: refusal.passwordError.map(FormErrorView.init),
            deleteError: refusal.deleteError.map(FormErrorView.init))
        var nav = NavView()
        nav.account = true
        return pages.render("pages/account", title: "Your account", view: view, visit: try pages.visit(request, context), nav: nav, status: status)
    }
}
