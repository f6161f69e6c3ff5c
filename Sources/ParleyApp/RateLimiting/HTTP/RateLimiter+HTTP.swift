import Web

extension RateLimitDecision {
    /// The 429 DRF sends for a throttled request, with `Retry-After`.
    public var throttledError: HTTPError {
        let seconds = max(1, retryAfterSeconds)
        return HTTPError(
            .tooManyRequests,
            "Request was throttled. Expected available in \(seconds) second\(seconds == 1 ? "" : "s").",
            headers: ["Retry-After": String(seconds)])
    }
}

extension RateLimiter {
    /// Records a hit, or throws the 429 (`Retry-After: N`) when `key` is over `limit` in `window`.
    @discardableResult
    public func enforce(key: String, limit: Int, window: Duration) throws -> RateLimitDecision {
        let decision = try consume(key: key, limit: limit, window: window)
        guard decision.isAllowed else { throw decision.throttledError }
        return decision
    }
}
