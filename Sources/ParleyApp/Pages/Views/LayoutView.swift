import Mustache

/// What the layout (`layout.mustache`) shows around every page: the title, the navigation for
/// the visitor, the flash message, and the page's own view in `page` (rendered inside
/// `{{#page}}`, so its templates also see `csrfToken` and `user`).
struct LayoutView {
    let title: String
    let styleVersion: String
    let csrfToken: String
    let user: NavUserView?
    let nav: NavView
    let flash: FlashView?
    /// Read once when the layout is made: the layout asks for `page` more than once, and each
    /// reading of an `Any` was a dynamic cast to `MustacheObject` (bench/README.md, "Pages and templates").
    let page: MustacheValue
}

/// The signed-in visitor, for the navigation.
struct NavUserView {
    /// For live.js (`data-live-user`): the user channel to subscribe to.
    let userID: String
    let username: String
    let isAdmin: Bool
    let unreadNotifications: Int
    let hasUnread: Bool
}

/// Which navigation entry is the current page (`aria-current="page"`).
struct NavView {
    var inbox = false
    var newConversation = false
    var notifications = false
    var account = false
    var admin = false
    var adminStats = false
    var login = false
    var signup = false
}

struct FlashView {
    let kind: String
    let text: String
    /// Errors are announced at once (`role="alert"`), the rest politely (`role="status"`).
    let isError: Bool
}

/// An error page's body.
struct ErrorView {
    let code: Int
    let heading: String
    let message: String
    let isSignedIn: Bool
}
