import FoundationEssentials
import Mustache
import Web

/// What every page controller shares, built once at start-up: the templates, the keys of the
/// CSRF tokens and flash cookies, the configuration, and the services each request gets
/// (``AppServices``, as the API controllers get them). Rendering is here too: the layout
/// around each page, error pages in the same layout.
struct Pages: Sendable {
    let templates: TemplateLibrary
    let configuration: AppConfiguration
    let csrf: CSRFTokens
    let flashes: FlashCookies
    let services: AppServices
    var now: @Sendable () -> Date = { Date() }

    /// Bumped whenever a file in public/static/ changes: nginx serves it as immutable for a year.
    static let styleVersion = "12"

    /// Every template the pages render; checked at start-up.
    static let templateNames = [
        "layout", "partials/csrf", "partials/time", "partials/message", "partials/field-errors",
        "pages/landing", "pages/login", "pages/signup", "pages/inbox", "pages/conversation-new",
        "pages/conversation", "pages/message-edit", "pages/message-history", "pages/notifications",
        "pages/account", "pages/admin-users", "pages/error", "pages/throttled", "pages/admin-stats",
    ]

    init(templates: TemplateLibrary, services: AppServices) {
        let secrets = PageSecrets(masterKey: services.configuration.auth.jwtKey)
        self.templates = templates
        self.configuration = services.configuration
        self.csrf = CSRFTokens(key: secrets.csrfKey)
        self.flashes = FlashCookies(key: secrets.flashKey)
        self.services = services
    }

    // MARK: - Visitors

    /// The signed-in user, or ``LoginRequired`` (the page middleware turns it into a redirect
    /// to the log-in form that comes back to `next`).
    func requireUser(_ context: AppContext, next: String? = nil) throws -> AuthenticatedUser {
        if let user = context.user { return user }
        if let deferred = context.deferredSession, let user = try deferred.settle() { return user }
        throw LoginRequired(next: next)
    }

    /// The signed-in user's id, for a read keyed by it: a session check still deferred is not
    /// settled here but rides in front of that read (``DeferredSession``), which then throws
    /// if the session was refused. Only for handlers whose first use of the user is that read.
    func requireUserID(_ context: AppContext, next: String? = nil) throws -> UUID {
        if let user = context.user { return user.id }
        if let deferred = context.deferredSession, !deferred.refused { return deferred.userID }
        throw LoginRequired(next: next)
    }

    /// The signed-in admin; a 403 page for anyone else signed in.
    func requireAdmin(_ context: AppContext, next: String? = nil) throws -> AuthenticatedUser {
        let user = try requireUser(context, next: next)
        guard user.isAdmin else { throw HTTPError(.forbidden, "This page is for administrators.") }
        return user
    }

    /// Who is visiting, their forms' CSRF token, and their waiting flash message.
    /// `unreadNotifications`: the badge, when the page has read it after changing it; else the
    /// session check's (else, without a session check, one more query).
    func visit(_ request: Request, _ context: AppContext, unreadNotifications: Int? = nil) throws -> PageVisit {
        var cookies: [SetCookie] = []
        let token: String
        if context.user != nil, let session = request.cookies[SessionCookies.session] {
            token = csrf.token(forSession: session)
        } else if let value = request.cookies[SessionCookies.csrf], CSRFTokens.isWellFormed(value) {
            token = csrf.token(forAnonymous: value)
        } else {
            let value = CSRFTokens.newAnonymousValue()
            cookies.append(SetCookie(name: SessionCookies.csrf, value: value))
            token = csrf.token(forAnonymous: value)
        }
        let flash = flashes.read(request)
        if request.cookies[SessionCookies.flash] != nil { cookies.append(SessionCookies.expired(SessionCookies.flash)) }
        let unread = try context.user.map {
            try unreadNotifications ?? context.sessionUnreadNotifications ?? services.notifications(context).unreadCount(for: $0)
        } ?? 0
        return PageVisit(user: context.user, csrfToken: token, flash: flash, unreadNotifications: unread, cookies: cookies)
    }

    // MARK: - Rendering

    /// `template` inside the layout, as an HTML response that sets the visit's cookies.
    ///
    /// A view that answers lookups itself goes in as it is, sparing the dynamic casts of
    /// `MustacheValue(reflecting:)`, which takes any other (bench/README.md, "The conversation
    /// page's rows").
    func render(_ template: String, title: String, view: some MustacheObject, visit: PageVisit, nav: NavView = NavView(), status: HTTPStatus = .ok) -> Response {
        render(template, title: title, page: .object(view), visit: visit, nav: nav, status: status)
    }

    func render(_ template: String, title: String, view: Any, visit: PageVisit, nav: NavView = NavView(), status: HTTPStatus = .ok) -> Response {
        render(template, title: title, page: MustacheValue(reflecting: view), visit: visit, nav: nav, status: status)
    }

    private func render(_ template: String, title: String, page: MustacheValue, visit: PageVisit, nav: NavView, status: HTTPStatus) -> Response {
        // The rendered bytes become the body as they are (no String in between: decoding a
        // whole page into a String and back would copy and validate it twice more).
        var response = Response(
            status: status, headers: ["Content-Type": "text/html; charset=utf-8"],
            body: htmlBytes(template, title: title, page: page, visit: visit, nav: nav))
        for cookie in visit.cookies { response.setCookie(cookie) }
        return response
    }

    func html(_ template: String, title: String, view: Any, visit: PageVisit, nav: NavView = NavView()) -> String {
        String(decoding: htmlBytes(template, title: title, page: MustacheValue(reflecting: view), visit: visit, nav: nav), as: UTF8.self)
    }

    func htmlBytes(_ template: String, title: String, page: MustacheValue, visit: PageVisit, nav: NavView = NavView()) -> [UInt8] {
        let user = visit.user.map {
            NavUserView(userID: $0.id.apiString, username: $0.username, isAdmin: $0.isAdmin, unreadNotifications: visit.unreadNotifications, hasUnread: visit.unreadNotifications > 0)
        }
        let flash = visit.flash.map { FlashView(kind: $0.kind.rawValue, text: $0.text, isError: $0.kind == .error) }
        let layout = LayoutView(
            title: title, styleVersion: Self.styleVersion, csrfToken: visit.csrfToken, user: user, nav: nav, flash: flash, page: page)
        return templates.render(.object(layout), template: template)  // no dynamic cast: LayoutView answers lookups itself
    }

    /// An error page in the site's layout. Internal errors never show their detail.
    func errorHTML(_ status: HTTPStatus, _ message: String, visit: PageVisit) -> String {
        let heading: String
        var text = message
        switch status.code {
        case 400: heading = "That request could not be understood"
        case 401, 403: heading = "You can’t open this page"
        case 404:
            heading = "Page not found"
            if message == "Not found." { text = "There is nothing at this address. It may have been deleted, or the link may be mistyped." }
        case 405: heading = "That action isn’t available here"
        case 413: heading = "That was too large"
        case 429: heading = "Slow down a little"
        case 503: heading = "Parley is busy"
        case 500...: heading = "Something went wrong"; text = "A server error occurred. It has been logged; please try again in a moment."
        default: heading = status.reasonPhrase
        }
        let view = ErrorView(code: status.code, heading: heading, message: text, isSignedIn: visit.user != nil)
        return html("pages/error", title: "\(status.code) \(heading)", view: view, visit: visit)
    }

    /// The renderer handed to ``Application``, for errors that never reached the page
    /// middleware (it knows nothing of the visitor, so the navigation is the anonymous one).
    var errorPageRenderer: ErrorPageRenderer {
        ErrorPageRenderer { status, message, _ in errorHTML(status, message, visit: .unknown) }
    }
}
