import Web

/// A one-time message shown by the page a successful POST redirects to ("Message sent.").
///
/// Carried in a short-lived signed cookie (`__Host-parley_flash`, HMAC-SHA256), so it works
/// for anonymous visitors too (after log-out, after deleting an account) and costs no write.
/// The page that shows it deletes the cookie.
struct Flash: Sendable, Equatable {
    enum Kind: String, Sendable {
        case success, info, warning, error
    }

    var kind: Kind
    var text: String

    static func success(_ text: String) -> Flash { Flash(kind: .success, text: text) }
    static func info(_ text: String) -> Flash { Flash(kind: .info, text: text) }
    static func error(_ text: String) -> Flash { Flash(kind: .error, text: text) }

    /// Seconds the cookie lives: long enough for the redirect, not for a later visit.
    static let lifetime = 120
}

/// Signs and reads flash cookies.
struct FlashCookies: Sendable {
    let key: HMACKey

    init(key: [UInt8]) {
        self.key = HMACKey(key)
    }

    func cookie(_ flash: Flash) -> SetCookie {
        let payload = Base64URL.encode(Array("\(flash.kind.rawValue)\n\(flash.text)".utf8))
        let signature = Base64URL.encode(key.authenticate(payload.utf8))
        return SetCookie(name: SessionCookies.flash, value: payload + "." + signature, maxAge: Flash.lifetime)
    }

    /// The flash in `request`'s cookie if its signature holds.
    func read(_ request: Request) -> Flash? {
        guard let value = request.cookies[SessionCookies.flash] else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let signature = Base64URL.decode(parts[1]),
              Sodium.constantTimeEquals(signature, key.authenticate(parts[0].utf8)),
              let bytes = Base64URL.decode(parts[0]), let text = String(validating: bytes, as: UTF8.self),
              let newline = text.firstIndex(of: "\n"), let kind = Flash.Kind(rawValue: String(text[..<newline]))
        else { return nil }
        return Flash(kind: kind, text: String(text[text.index(after: newline)...]))
    }
}

extension Response {
    /// A 303 to `location` that shows `flash` there.
    static func redirect(to location: String, flash: Flash, cookies: FlashCookies) -> Response {
        var response = Response.redirect(to: location)
        response.setCookie(cookies.cookie(flash))
        return response
    }
}
