import FoundationEssentials

/// Counts hits per key in a sliding window and says whether one more is allowed. The counters
/// live in PostgreSQL (`rate_limit_counters`), so a limit holds across every parley instance.
///
///     let limiter = RateLimiter(store: repositories.rateLimits(context.database))
///     try limiter.enforce(key: "messages:\(user.id)", limit: 5, window: .seconds(60))  // 429 when over
///     // or, to decide yourself:
///     let decision = try limiter.consume(key: "messages:\(user.id)", limit: 5, window: .seconds(60))
///     guard decision.isAllowed else { throw decision.throttledError }
///
/// - `consume` records a hit only when it is allowed, like DRF's throttles: a refused request
///   does not push the wait further out, so `retryAfterSeconds` is exact. Each call is one
///   `INSERT … ON CONFLICT … DO UPDATE … RETURNING` statement: atomic under concurrency.
/// - The window slides: the previous fixed window's count is weighted by how much of it still
///   overlaps (Cloudflare's approximation), so there is no double burst at window edges.
/// - Use one `window` per key; a key seen with a different window starts over.
/// - Keys are any text (longer than 128 bytes they are stored hashed). Prefix them by purpose.
public struct RateLimiter {
    let store: any RateLimitStore

    /// A limiter over `store`: the application's is ``Repositories/rateLimits(_:)``'s, on the
    /// request's connection; ``RateLimiter/unlimited`` has one that counts nothing.
    public init(store: any RateLimitStore) {
        self.store = store
    }

    /// Records a hit for `key` if fewer than `limit` fall in the sliding `window`; says whether
    /// it was allowed, how many remain and, when refused, how long until one would be allowed.
    public func consume(key: String, limit: Int, window: Duration) throws -> RateLimitDecision {
        let windowMilliseconds = Self.milliseconds(window)
        let sample = try store.hit(key: Self.storageKey(key), limit: limit, windowMilliseconds: windowMilliseconds)
        return RateLimitDecision(sample: sample, limit: limit, allowed: sample.recorded)
    }

    /// Whether a hit would be allowed now, without recording one.
    public func check(key: String, limit: Int, window: Duration) throws -> RateLimitDecision {
        let windowMilliseconds = Self.milliseconds(window)
        let sample = try store.sample(key: Self.storageKey(key), windowMilliseconds: windowMilliseconds)
            ?? RateLimitSample(previousCount: 0, currentCount: 0, elapsedMilliseconds: 0, windowMilliseconds: windowMilliseconds, recorded: false)
        return RateLimitDecision(sample: sample, limit: limit, allowed: sample.estimate + 1 <= Double(limit))
    }

    /// Forgets every hit recorded for `key`.
    public func reset(key: String) throws {
        try store.reset(key: Self.storageKey(key))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// Long keys, and keys PostgreSQL text cannot hold (NUL), are stored as a SHA-256.
    static func storageKey(_ key: String) -> String {
        if key.utf8.count <= 128, !key.utf8.contains(0) { return key }
        return "sha256:" + Sodium.sha256Hex(key)
    }
}
