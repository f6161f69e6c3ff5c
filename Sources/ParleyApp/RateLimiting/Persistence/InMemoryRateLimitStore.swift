import Foundation
import Synchronization

/// Counters in process memory, for service tests (and a single-process development server).
/// The clock is injectable so tests can move time.
public final class InMemoryRateLimitStore: RateLimitStore, Sendable {
    private let counters = Mutex<[String: RateLimitCounters]>([:])
    private let now: @Sendable () -> Int64

    /// `now` returns milliseconds since 1970; the wall clock by default.
    public init(now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.now = now
    }

    public func hit(key: String, limit: Int, windowMilliseconds: Int64) throws -> RateLimitSample {
        let now = self.now()
        let bucket = now / windowMilliseconds
        let elapsed = now - bucket * windowMilliseconds
        return counters.withLock { counters in
            var entry = (counters[key] ?? RateLimitCounters(windowMilliseconds: windowMilliseconds, bucket: bucket, previousCount: 0, currentCount: 0))
                .rolled(to: bucket, windowMilliseconds: windowMilliseconds)
            var sample = RateLimitSample(
                previousCount: entry.previousCount, currentCount: entry.currentCount,
                elapsedMilliseconds: elapsed, windowMilliseconds: windowMilliseconds, recorded: false)
            if sample.estimate + 1 <= Double(limit) {
                entry.currentCount += 1
                sample.currentCount += 1
                sample.recorded = true
            }
            counters[key] = entry
            return sample
        }
    }

    public func sample(key: String, windowMilliseconds: Int64) throws -> RateLimitSample? {
        let now = self.now()
        let bucket = now / windowMilliseconds
        return counters.withLock { counters in
            guard let entry = counters[key]?.rolled(to: bucket, windowMilliseconds: windowMilliseconds) else { return nil }
            return RateLimitSample(
                previousCount: entry.previousCount, currentCount: entry.currentCount,
                elapsedMilliseconds: now - bucket * windowMilliseconds, windowMilliseconds: windowMilliseconds, recorded: false)
        }
    }

    public func reset(key: String) throws {
        _ = counters.withLock { $0.removeValue(forKey: key) }
    }
}
