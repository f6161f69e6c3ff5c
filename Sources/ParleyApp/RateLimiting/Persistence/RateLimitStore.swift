/// Where ``RateLimiter`` keeps its counters: PostgreSQL in production, memory in service tests.
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

/// The two fixed windows of one key.
struct RateLimitCounters: Sendable, Equatable {
    var windowMilliseconds: Int64
    var bucket: Int64
    var previousCount: Int
    var currentCount: Int

    /// The counters as they stand in `bucket`: same window kept, the one before becomes
    /// "previous", anything older (or with another window length) is forgotten.
    func rolled(to bucket: Int64, windowMilliseconds: Int64) -> RateLimitCounters {
        guard windowMilliseconds == self.windowMilliseconds else {
            return RateLimitCounters(windowMilliseconds: windowMilliseconds, bucket: bucket, previousCount: 0, currentCount: 0)
        }
        if bucket == self.bucket { return self }
        let previous = bucket == self.bucket + 1 ? currentCount : 0
        return RateLimitCounters(windowMilliseconds: windowMilliseconds, bucket: bucket, previousCount: previous, currentCount: 0)
    }
}
