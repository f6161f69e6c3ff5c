import FoundationEssentials

/// Access tokens whose signature this process has checked, with their claims. An API client
/// sends the same token on every request for the token's lifetime, and checking its HMAC and
/// parsing its claims was about a tenth of an API request's instructions (bench/README.md,
/// "Verified access tokens"). A token is found by its whole text, so only the very bytes that
/// were verified match; its expiry is checked again on every use, and the user check
/// (``DeferredAuthentication``) still runs on every request.
final class VerifiedTokens: Sendable {
    private let cache: BoundedCache<JWTClaims>

    init(capacity: Int = 4096) {
        cache = BoundedCache(capacity: capacity)
    }

    /// The claims of `token`: remembered, or from `verify` (which throws for a bad token, and
    /// then nothing is remembered).
    func claims(of token: String, now: Date = Date(), verify: (String) throws -> JWTClaims) throws -> JWTClaims {
        if let claims = cache[token] {
            try claims.checkExpiry(now: now)
            return claims
        }
        let claims = try verify(token)
        cache.insert(claims, for: token)
        return claims
    }
}
