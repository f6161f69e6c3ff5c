/// Where ``RateLimiter`` keeps its counters: PostgreSQL (``PostgresRateLimitStore``).
///
/// Each key holds two fixed-window counts (`bucket` = ⌊now / window⌋): the current window's and
/// the previous one's. `hit` must be atomic: roll the windows forward to now, and add one to the
/// current count only if `previous·(1 − elapsed/window) + current + 1 ≤ limit`.
public protocol RateLimitStore {
    func hit(key: String, limit: Int, windowMilliseconds: Int64) throws -> RateLimitSample
    /// The counts as of now, rolled forward, without recording; nil for an unknown key.
    func sample(key: String, windowMilliseconds: Int64) throws -> RateLimitSample?
    func reset(key: String) throws
}
