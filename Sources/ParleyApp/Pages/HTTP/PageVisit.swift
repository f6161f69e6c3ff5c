import Web

/// What rendering a page needs to know about the visitor, gathered once per request: who they
/// are, the CSRF token their forms carry, the flash message waiting for them, and the cookies
/// the response must set (a new anonymous CSRF cookie; deleting a shown flash).
struct PageVisit {
    let user: AuthenticatedUser?
    let csrfToken: String
    let flash: Flash?
    let unreadNotifications: Int
    var cookies: [SetCookie]

    /// A visitor known only from the request (error pages rendered outside the page
    /// middleware): no forms, no flash.
    static let unknown = PageVisit(user: nil, csrfToken: "", flash: nil, unreadNotifications: 0, cookies: [])
}
