import FoundationEssentials
import Synchronization

/// Access tokens whose signature this process has checked, with their claims. An API client
/// sends the same token on every request for the token's lifetime, and checking its HMAC and
/// parsing its claims was about a tenth of an API request's instructions (bench/README.md,
/// "Verified access tokens"). A token is found by its whole text, so only the very bytes that
/// were verified match; its expiry is checked again on every use, and the user check
/// (``DeferredAuthentication``) still runs on every request.
final class VerifiedTokens: Sendable {
    private let entries = Mutex<[String: JWTClaims]>([:])
    /// At this many tokens the cache starts again empty: a bound on memory without an order to
    /// keep; a forgotten token is only verified again.
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The claims of `token`: remembered, or from `verify` (which throws for a bad token, and
    /// then nothing is remembered).
    func claims(of token: String, now: Date = Date(), verify: (String) throws -> JWTClaims) throws -> JWTClaims {
        if let claims = entries.withLock({ $0[token] }) {
            guard Double(claims.exp) > now.timeIntervalSince1970 else { throw JWTError(reason: "expired") }
            return claims
        }
        let claims = try verify(token)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
        return claims
    }
}
