extension RateLimiter {
    /// A limiter that allows every hit and records none, for work that is not a client's
    /// request (the demo seed posts its messages within a second).
    public static var unlimited: RateLimiter {
        RateLimiter(store: UnlimitedRateLimitStore())
    }
}

/// Counts nothing: every hit is allowed, every key is unknown.
private struct UnlimitedRateLimitStore: RateLimitStore {
    func hit(key: String, limit: Int, windowMilliseconds: Int64) throws -> RateLimitSample {
        RateLimitSample(previousCount: 0, currentCount: 0, elapsedMilliseconds: 0, windowMilliseconds: windowMilliseconds, recorded: true)
    }

    func sample(key: String, windowMilliseconds: Int64) throws -> RateLimitSample? {
        nil
    }

    func reset(key: String) throws {}
}
