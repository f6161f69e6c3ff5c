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
