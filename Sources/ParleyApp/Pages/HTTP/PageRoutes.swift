import FoundationEssentials
import Web

/// Every server-rendered page, registered from the composition root in one call, with the
/// middleware the pages need and the error pages in their layout.
///
/// Middleware order (outermost first), for paths outside `/api/` only:
/// ``PageMiddleware`` (security headers, errors as pages, log-in redirects), then
/// ``SessionMiddleware`` (the cookie's user into `context.user`), then ``CSRFMiddleware``
/// (POSTs without a valid token are refused before any handler runs).
struct PageRoutes {
    let pages: Pages

    /// Checks that the pages' templates are there; a missing one fails the start.
    init(templates: TemplateLibrary, services: AppServices) throws {
        try templates.require(Pages.templateNames)
        pages = Pages(templates: templates, services: services)
    }

    /// The page paths the chat-hours gate closes, as it closes the API's.
    static let chatPrefixes = ["/inbox", "/conversations", "/messages"]

    func register(on router: inout Router<AppContext>) {
        AuthPages(pages: pages).register(on: &router)
        ConversationPages(pages: pages).register(on: &router)
        MembershipPages(pages: pages).register(on: &router)
        MessagePages(pages: pages).register(on: &router)
        NotificationPages(pages: pages).register(on: &router)
        AccountPages(pages: pages).register(on: &router)
        AdminPages(pages: pages).register(on: &router)
        BulkPages(pages: pages).register(on: &router)
    }

    /// Outermost for the pages: security headers, and errors as pages in the layout.
    var pageMiddleware: any Middleware<AppContext> { PageMiddleware(pages: pages) }

    /// The session, then CSRF checks on its forms.
    var sessionMiddleware: [any Middleware<AppContext>] {
        [SessionMiddleware(services: pages.services), CSRFMiddleware(tokens: pages.csrf)]
    }

    var errorPages: ErrorPageRenderer { pages.errorPageRenderer }
}
