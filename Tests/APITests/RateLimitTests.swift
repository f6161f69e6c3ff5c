import Foundation
import Logging
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Synchronization
import Testing
import Web

/// The PostgreSQL-backed sliding-window limiter that every instance shares.
@Suite("Rate limiter (PostgreSQL)", .enabled(if: TestEnvironment.runsIntegration))
struct RateLimitTests {
    let logger = Logger(label: "rate-limit-test") { _ in SwiftLogNoOpLogHandler() }

    func database() throws -> PostgresDatabase {
        PostgresDatabase(configuration: PostgresConfiguration(url: try TestEnvironment.databaseURL), logger: logger)
    }

    func uniqueKey(_ name: String = #function) -> String { "test:\(name):\(UUID().uuidString)" }

    @Test("allows `limit` hits, then refuses with a Retry-After inside the window; refusals are not counted")
    func limitThenRefuse() throws {
        let limiter = RateLimiter(store: PostgresRateLimitStore(database: try database()))
        let key = uniqueKey()
        for expectedRemaining in [2, 1, 0] {
            let decision = try limiter.consume(key: key, limit: 3, window: .seconds(60))
            #expect(decision.isAllowed)
            #expect(decision.remaining == expectedRemaining)
            #expect(decision.retryAfterSeconds == 0)
        }
        let refused = try limiter.consume(key: key, limit: 3, window: .seconds(60))
        #expect(!refused.isAllowed)
        #expect((1...120).contains(refused.retryAfterSeconds))
        let again = try limiter.consume(key: key, limit: 3, window: .seconds(60))
        #expect(!again.isAllowed)
        let count = try database().read { try $0.query("SELECT current_count FROM rate_limit_counters WHERE key = \(key)").first!.decode(Int.self) }
        #expect(count == 3, "refused hits must not be recorded")
    }

    @Test("check does not record; reset forgets; keys are independent")
    func checkAndReset() throws {
        let limiter = RateLimiter(store: PostgresRateLimitStore(database: try database()))
        let key = uniqueKey()
        #expect(try limiter.check(key: key, limit: 1, window: .seconds(60)).isAllowed)
        #expect(try limiter.check(key: key, limit: 1, window: .seconds(60)).isAllowed)
        #expect(try limiter.consume(key: key, limit: 1, window: .seconds(60)).isAllowed)
        #expect(try !limiter.check(key: key, limit: 1, window: .seconds(60)).isAllowed)
        #expect(try limiter.consume(key: uniqueKey("other"), limit: 1, window: .seconds(60)).isAllowed)
        try limiter.reset(key: key)
        #expect(try limiter.consume(key: key, limit: 1, window: .seconds(60)).isAllowed)
    }

    @Test("a short window lets hits through again once it has passed")
    func windowPasses() throws {
        let limiter = RateLimiter(store: PostgresRateLimitStore(database: try database()))
        let key = uniqueKey()
        #expect(try limiter.consume(key: key, limit: 1, window: .milliseconds(300)).isAllowed)
        #expect(try !limiter.consume(key: key, limit: 1, window: .milliseconds(300)).isAllowed)
        Thread.sleep(forTimeInterval: 0.65)  // two windows: the previous count no longer weighs
        #expect(try limiter.consume(key: key, limit: 1, window: .milliseconds(300)).isAllowed)
    }

    @Test("concurrent hits from separate connections: exactly `limit` are allowed")
    func concurrentHits() throws {
        let key = uniqueKey()
        let url = try TestEnvironment.databaseURL
        let allowed = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let logger = self.logger
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let database = PostgresDatabase(configuration: PostgresConfiguration(url: url), logger: logger)
            let limiter = RateLimiter(store: PostgresRateLimitStore(database: database))
            for _ in 0..<5 {
                do {
                    if try limiter.consume(key: key, limit: 17, window: .seconds(60)).isAllowed { allowed.add(1, ordering: .relaxed) }
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(allowed.load(ordering: .relaxed) == 17)
    }

    @Test("enforce throws DRF's 429 with Retry-After; keys with NUL or of any length work", arguments: [
        "plain", "with\u{0}nul", String(repeating: "k", count: 300), "'; DROP TABLE users; --",
    ])
    func enforce(suffix: String) throws {
        let limiter = RateLimiter(store: PostgresRateLimitStore(database: try database()))
        let key = uniqueKey() + suffix
        try limiter.enforce(key: key, limit: 1, window: .seconds(30))
        do {
            try limiter.enforce(key: key, limit: 1, window: .seconds(30))
            Issue.record("the second hit was allowed")
        } catch let error as HTTPError {
            #expect(error.status == .tooManyRequests)
            let seconds = try #require(error.headers["Retry-After"].flatMap { Int($0) })
            #expect((1...60).contains(seconds))
            #expect(error.publicMessage == "Request was throttled. Expected available in \(seconds) second\(seconds == 1 ? "" : "s").")
        }
    }

    @Test("the previous window's count fades with the elapsed part of the current window")
    func previousWindowFades() throws {
        let database = try database()
        let key = uniqueKey()
        // A window two thirds of the epoch long puts the database's now half-way through
        // bucket 1, whatever the time: the 4 hits stored for bucket 0 weigh 4·(1 − ½) = 2.
        let now = try database.read { try $0.query("SELECT (extract(epoch FROM now()) * 1000)::bigint").first!.decode(Int64.self) }
        let window = now * 2 / 3
        try database.write { connection in
            try connection.execute("""
                INSERT INTO rate_limit_counters (key, window_ms, limit_count, bucket, previous_count, current_count, last_allowed, expires_at)
                VALUES (\(key), \(window), 3, 0, 0, 4, true, now() + interval '1 hour')
                """)
        }
        let limiter = RateLimiter(store: PostgresRateLimitStore(database: database))
        let first = try limiter.consume(key: key, limit: 3, window: .milliseconds(window))
        #expect(first.isAllowed, "2 + 1 ≤ 3")
        #expect(first.remaining == 0)
        let second = try limiter.consume(key: key, limit: 3, window: .milliseconds(window))
        #expect(!second.isAllowed, "2 + 1 + 1 > 3")
        // The next hit fits once 4·(1 − f) + 1 + 1 ≤ 3, at f = ¾: a quarter of a window from now.
        #expect(abs(second.retryAfterSeconds - Int(window / 4_000)) <= 2)
    }

    @Test("expired rows are purged opportunistically")
    func purge() throws {
        let database = try database()
        let stale = uniqueKey()
        try database.write { connection in
            try connection.execute("""
                INSERT INTO rate_limit_counters (key, window_ms, limit_count, bucket, previous_count, current_count, last_allowed, expires_at)
                VALUES (\(stale), 1000, 1, 1, 0, 1, true, now() - interval '1 hour')
                """)
        }
        let limiter = RateLimiter(store: PostgresRateLimitStore(database: database))
        for _ in 0..<(PostgresRateLimitStore.purgeOneIn * 6) {
            _ = try limiter.consume(key: uniqueKey("purge-driver"), limit: 1, window: .seconds(1))
        }
        let left = try database.read { try $0.query("SELECT count(*) FROM rate_limit_counters WHERE key = \(stale)").first!.decode(Int.self) }
        #expect(left == 0)
    }
}

/// The sliding-window arithmetic on given counts, with no store: what Retry-After says, and how
/// the two windows roll forward.
@Suite("Rate limiter arithmetic")
struct RateLimitArithmeticTests {
    func sample(previous: Int, current: Int, elapsed: Int64, recorded: Bool = false) -> RateLimitSample {
        RateLimitSample(previousCount: previous, currentCount: current, elapsedMilliseconds: elapsed, windowMilliseconds: 60_000, recorded: recorded)
    }

    @Test("Retry-After says when the next hit fits: later in this window as the previous one fades, or in the next")
    func retryAfter() {
        // Full at the start of a window: the next window starts in 60 s; then 4·(1 − f) + 1 ≤ 4
        // needs f ≥ 1/4: 15 s more.
        let full = RateLimitDecision(sample: sample(previous: 0, current: 4, elapsed: 0), limit: 4, allowed: false)
        #expect(full.retryAfterSeconds == 75)
        #expect(full.remaining == 0)
        // 14 s into that next window the previous 4 still weigh 4·(46/60) > 3: one second more.
        let fading = RateLimitDecision(sample: sample(previous: 4, current: 0, elapsed: 14_000), limit: 4, allowed: false)
        #expect(fading.retryAfterSeconds == 1)
        let allowed = RateLimitDecision(sample: sample(previous: 4, current: 1, elapsed: 15_000, recorded: true), limit: 4, allowed: true)
        #expect(allowed.retryAfterSeconds == 0)
        #expect(allowed.remaining == 0)
    }

    @Test("the window before becomes the previous one; older windows and other window lengths are forgotten")
    func roll() {
        let counters = RateLimitCounters(windowMilliseconds: 60_000, bucket: 10, previousCount: 2, currentCount: 3)
        #expect(counters.rolled(to: 10, windowMilliseconds: 60_000) == counters)
        #expect(counters.rolled(to: 11, windowMilliseconds: 60_000) == RateLimitCounters(windowMilliseconds: 60_000, bucket: 11, previousCount: 3, currentCount: 0))
        #expect(counters.rolled(to: 12, windowMilliseconds: 60_000) == RateLimitCounters(windowMilliseconds: 60_000, bucket: 12, previousCount: 0, currentCount: 0))
        #expect(counters.rolled(to: 10, windowMilliseconds: 30_000) == RateLimitCounters(windowMilliseconds: 30_000, bucket: 10, previousCount: 0, currentCount: 0))
    }

    @Test("the unlimited limiter allows every hit and remembers none")
    func unlimited() throws {
        let limiter = RateLimiter.unlimited
        for _ in 0..<3 { #expect(try limiter.consume(key: "k", limit: 1, window: .seconds(60)).isAllowed) }
        #expect(try limiter.check(key: "k", limit: 1, window: .seconds(60)).isAllowed)
    }
}
