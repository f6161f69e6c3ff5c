/// The outcome of ``RateLimiter/consume(key:limit:window:)``.
public struct RateLimitDecision: Sendable, Equatable {
    /// True when the hit was allowed (and recorded).
    public var isAllowed: Bool
    public var limit: Int
    /// Hits still allowed in the current window after this one.
    public var remaining: Int
    /// When refused: whole seconds until a hit would be allowed (at least 1); 0 when allowed.
    /// This is what `Retry-After` carries.
    public var retryAfterSeconds: Int

    public init(isAllowed: Bool, limit: Int, remaining: Int, retryAfterSeconds: Int) {
        self.isAllowed = isAllowed
        self.limit = limit
        self.remaining = remaining
        self.retryAfterSeconds = retryAfterSeconds
    }

    init(sample: RateLimitSample, limit: Int, allowed: Bool) {
        self.isAllowed = allowed
        self.limit = limit
        self.remaining = max(0, Int((Double(limit) - sample.estimate).rounded(.down)))
        self.retryAfterSeconds = allowed ? 0 : Self.secondsUntilAllowed(sample, limit: limit)
    }

    /// The wait until `previous·(1 − f) + current + 1 ≤ limit`, where `f` is the elapsed
    /// fraction of the current window: first within this window (the previous one's weight
    /// fades), else in the next one (this window's count becomes the fading one).
    static func secondsUntilAllowed(_ sample: RateLimitSample, limit: Int) -> Int {
        let window = Double(sample.windowMilliseconds) / 1000
        let elapsed = Double(sample.elapsedMilliseconds) / 1000
        let previous = Double(sample.previousCount)
        let current = Double(sample.currentCount)
        let limit = Double(limit)
        var wait: Double
        if current + 1 <= limit, previous > 0, 1 - (limit - current - 1) / previous < 1 {
            let fraction = 1 - (limit - current - 1) / previous
            wait = max(0, fraction * window - elapsed)
        } else if limit >= 1 {
            let fraction = current > 0 ? max(0, 1 - (limit - 1) / current) : 0
            wait = (window - elapsed) + fraction * window
        } else {
            wait = 2 * window
        }
        return max(1, Int(wait.rounded(.up)))
    }
}

/// A key's counters as a store returns them: the previous and current fixed windows, and how
/// far into the current one "now" is.
public struct RateLimitSample: Sendable, Equatable {
    public var previousCount: Int
    public var currentCount: Int
    public var elapsedMilliseconds: Int64
    public var windowMilliseconds: Int64
    /// Whether this call recorded a hit (`hit` only).
    public var recorded: Bool

    public init(previousCount: Int, currentCount: Int, elapsedMilliseconds: Int64, windowMilliseconds: Int64, recorded: Bool) {
        self.previousCount = previousCount
        self.currentCount = currentCount
        self.elapsedMilliseconds = elapsedMilliseconds
        self.windowMilliseconds = windowMilliseconds
        self.recorded = recorded
    }

    /// Hits counted in the sliding window ending now.
    var estimate: Double {
        let fraction = min(1, max(0, Double(elapsedMilliseconds) / Double(windowMilliseconds)))
        return Double(previousCount) * (1 - fraction) + Double(currentCount)
    }
}
