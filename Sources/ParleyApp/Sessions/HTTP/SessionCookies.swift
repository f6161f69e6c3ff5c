import Web

/// The cookies the pages use. All `__Host-` prefixed: the browser accepts them only with
/// `Secure`, `Path=/` and no `Domain`, so no subdomain (or plain-HTTP page) can plant one.
enum SessionCookies {
    /// The session token.
    static let session = "__Host-parley_session"
    /// A random value for the CSRF tokens of anonymous forms (log-in, sign-up).
    static let csrf = "__Host-parley_csrf"
    /// A signed one-time message for the page after a redirect.
    static let flash = "__Host-parley_flash"

    /// `Secure; HttpOnly; SameSite=Lax; Path=/`, lasting as long as the session can.
    static func session(_ token: String, configuration: SessionConfiguration) -> SetCookie {
        SetCookie(name: session, value: token, maxAge: configuration.absoluteLifetime.wholeSeconds)
    }

    static func expired(_ name: String) -> SetCookie {
        SetCookie.expired(name: name)
    }
}

extension Response {
    /// Whether this response already sets cookie `name` (a handler's own choice wins).
    func setsCookie(_ name: String) -> Bool {
        headers.values(for: "Set-Cookie").contains { $0.hasPrefix(name + "=") }
    }
}
