import Web

/// CSRF tokens for the pages' forms (hidden input `csrf_token`).
///
/// - Signed in: `HMAC(key, "session" ‖ SHA-256(session token))`. Tied to the session: a new
///   session (log-in, password change) means new tokens, and nobody without the session
///   cookie can compute one. Nothing is stored.
/// - Anonymous (log-in, sign-up): a signed double-submit token. The `__Host-parley_csrf` cookie
///   holds a random value, the form `HMAC(key, "anonymous" ‖ value)`. Another site can
///   neither read the cookie nor, lacking the key, make a token for one it planted.
///
/// A POST is accepted when its token matches either form for the cookies it came with.
struct CSRFTokens: Sendable {
    let key: HMACKey

    init(key: [UInt8]) {
        self.key = HMACKey(key)
    }

    static let field = "csrf_token"

    func token(forSession sessionToken: String) -> String {
        Base64URL.encode(mac("session", SessionService.hash(sessionToken)))
    }

    func token(forAnonymous value: String) -> String {
        Base64URL.encode(mac("anonymous", value))
    }

    /// Whether `submitted` is a valid token for the cookies of `request`.
    func isValid(_ submitted: String?, for request: Request) -> Bool {
        guard let submitted, let bytes = Base64URL.decode(submitted), bytes.count == 32 else { return false }
        var valid = false
        if let session = request.cookies[SessionCookies.session], !session.isEmpty {
            valid = Sodium.constantTimeEquals(bytes, mac("session", SessionService.hash(session))) || valid
        }
        if let anonymous = request.cookies[SessionCookies.csrf], Self.isWellFormed(anonymous) {
            valid = Sodium.constantTimeEquals(bytes, mac("anonymous", anonymous)) || valid
        }
        return valid
    }

    /// A fresh value for the anonymous cookie.
    static func newAnonymousValue() -> String {
        Sodium.randomToken(bytes: 32)
    }

    static func isWellFormed(_ value: String) -> Bool {
        SessionService.isWellFormed(value)
    }

    private func mac(_ purpose: String, _ value: String) -> [UInt8] {
        key.authenticate("\(purpose)\n\(value)".utf8)
    }
}
