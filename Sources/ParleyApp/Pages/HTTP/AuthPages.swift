import FoundationEssentials
import Web

/// The start page, sign-up, log-in and log-out.
///
/// Log-in and sign-up always start a new session (a token planted before is ended, never
/// promoted); log-out ends the session in the database, whatever the browser keeps.
struct AuthPages {
    let pages: Pages

    func register(on router: inout Router<AppContext>) {
        router.get("/") { request, context in try landing(request, context) }
        router.get("/login") { request, context in try loginForm(request, context) }
        router.post("/login") { request, context in try login(request, context) }
        router.get("/signup") { request, context in try signupForm(request, context) }
        router.post("/signup") { request, context in try signup(request, context) }
        router.post("/logout") { request, context in try logout(request, context) }
    }

    // MARK: - Views

    struct LandingView {}

    struct LoginView {
        let username: FieldView
        let password: FieldView
        let next: String
        let hasNext: Bool
        let formError: FormErrorView?
    }

    struct SignupView {
        let username: FieldView
        let email: FieldView
        let password: FieldView
        let passwordConfirmation: FieldView
        let firstName: FieldView
        let lastName: FieldView
        let formError: FormErrorView?
        let minimumLength: Int
    }

    // MARK: - Start page

    func landing(_ request: Request, _ context: AppContext) throws -> Response {
        if context.user != nil { return .redirect(to: "/inbox") }
        return pages.render("pages/landing", title: "Welcome", view: LandingView(), visit: try pages.visit(request, context))
    }

    // MARK: - Log-in

    func loginForm(_ request: Request, _ context: AppContext) throws -> Response {
        let next = LocalRedirect.validated(request.query["next"])
        if context.user != nil { return .redirect(to: next ?? "/inbox") }
        return try renderLogin(request, context, username: "", next: next)
    }

    func login(_ request: Request, _ context: AppContext) throws -> Response {
        let form = try request.form()
        let next = LocalRedirect.validated(form["next"])
        let username = form["username"] ?? ""
        do {
            let account = try pages.services.tokens(context).authenticate(
                identifier: form["username"], password: form["password"], clientAddress: request.remoteAddress)
            var response = Response.redirect(
                to: next ?? "/inbox", flash: .success("Welcome back, \(account.firstName.isEmpty ? account.username : account.firstName)."),
                cookies: pages.flashes)
            try startSession(for: account.id, request, context, on: &response)
            return response
        } catch let error as AccountError {
            switch error.kind {
            case .validation(let fields):
                return try renderLogin(request, context, username: username, next: next, errors: fields)
            case .invalidCredentials:
                return try renderLogin(request, context, username: username, next: next,
                    formError: "Please enter a correct username (or email) and password. Both may be case-sensitive.")
            case .throttled(let seconds):
                var response = try renderLogin(request, context, username: username, next: next,
                    formError: "Too many failed log-ins. For your safety, wait \(Wait.describe(seconds)) before trying again.", status: .tooManyRequests)
                response.headers["Retry-After"] = String(max(1, seconds))
                return response
            case .busy(let seconds):
                var response = try renderLogin(request, context, username: username, next: next,
                    formError: "Parley is busy right now. Please try again in a moment.", status: .serviceUnavailable)
                response.headers["Retry-After"] = String(max(1, seconds))
                return response
            default:
                throw error
            }
        }
    }

    private func renderLogin(
        _ request: Request, _ context: AppContext, username: String, next: String?,
        errors: [String: [String]] = [:], formError: String? = nil, status: HTTPStatus = .ok
    ) throws -> Response {
        let view = LoginView(
            username: FieldView("username", value: username, errors: errors), password: FieldView("password", errors: errors),
            next: next ?? "", hasNext: next != nil, formError: formError.map(FormErrorView.init))
        var nav = NavView()
        nav.login = true
        return pages.render("pages/login", title: "Log in", view: view, visit: try pages.visit(request, context), nav: nav, status: status)
    }

    // MARK: - Sign-up

    func signupForm(_ request: Request, _ context: AppContext) throws -> Response {
        if context.user != nil { return .redirect(to: "/inbox") }
        return try renderSignup(request, context, form: URLEncodedForm())
    }

    func signup(_ request: Request, _ context: AppContext) throws -> Response {
        let form = try request.form()
        if let confirmation = form["password_confirmation"], !confirmation.utf8.elementsEqual((form["password"] ?? "").utf8) {
            return try renderSignup(request, context, form: form, errors: ["password_confirmation": ["The two password fields didn’t match."]])
        }
        let input = RegistrationInput(
            username: form["username"], email: form["email"], password: form["password"],
            firstName: form["first_name"], lastName: form["last_name"] ?? "")
        do {
            let account = try pages.services.accounts(context).register(input, clientAddress: request.remoteAddress)
            var response = Response.redirect(to: "/inbox", flash: .success("Welcome to Parley, \(account.firstName)! Start a conversation to get going."), cookies: pages.flashes)
            try startSession(for: account.id, request, context, on: &response)
            return response
        } catch let error as AccountError {
            switch error.kind {
            case .validation(let fields):
                return try renderSignup(request, context, form: form, errors: fields)
            case .throttled(let seconds):
                var response = try renderSignup(request, context, form: form,
                    formError: "Too many sign-ups from your network. Please try again in \(Wait.describe(seconds)).", status: .tooManyRequests)
                response.headers["Retry-After"] = String(max(1, seconds))
                return response
            case .busy(let seconds):
                var response = try renderSignup(request, context, form: form,
                    formError: "Parley is busy right now. Please try again in a moment.", status: .serviceUnavailable)
                response.headers["Retry-After"] = String(max(1, seconds))
                return response
            default:
                throw error
            }
        }
    }

    private func renderSignup(
        _ request: Request, _ context: AppContext, form: URLEncodedForm, errors: [String: [String]] = [:],
        formError: String? = nil, status: HTTPStatus = .ok
    ) throws -> Response {
        let view = SignupView(
            username: FieldView("username", value: form["username"], errors: errors),
            email: FieldView("email", value: form["email"], errors: errors),
            password: FieldView("password", errors: errors),
            passwordConfirmation: FieldView("password_confirmation", errors: errors),
            firstName: FieldView("first_name", value: form["first_name"], errors: errors),
            lastName: FieldView("last_name", value: form["last_name"], errors: errors),
            formError: formError.map(FormErrorView.init),
            minimumLength: pages.configuration.auth.passwordMinimumLength)
        var nav = NavView()
        nav.signup = true
        return pages.render("pages/signup", title: "Sign up", view: view, visit: try pages.visit(request, context), nav: nav, status: status)
    }

    // MARK: - Log-out

    func logout(_ request: Request, _ context: AppContext) throws -> Response {
        if let token = request.cookies[SessionCookies.session] {
            try pages.services.sessions(context).end(token: token)
        }
        var response = Response.redirect(to: "/", flash: .info("You have been logged out."), cookies: pages.flashes)
        response.setCookie(SessionCookies.expired(SessionCookies.session))
        return response
    }

    // MARK: - Sessions

    /// Ends the session the browser came with (if any) and starts a new one: no session
    /// fixation, and no session left behind half-used.
    private func startSession(for userID: UUID, _ request: Request, _ context: AppContext, on response: inout Response) throws {
        let sessions = pages.services.sessions(context)
        if let old = request.cookies[SessionCookies.session] { try sessions.end(token: old) }
        let token = try sessions.start(for: userID)
        response.setCookie(SessionCookies.session(token, configuration: pages.configuration.sessions))
    }
}
