import Foundation
import Logging
@testable import ParleyApp
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

/// The same sliding-window rules in memory, with a clock the test moves.
@Suite("Rate limiter (in memory)")
struct InMemoryRateLimitTests {
    final class Clock: Sendable {
        let milliseconds = Atomic<Int64>(1_000_000_000_000)
        func advance(_ ms: Int64) { milliseconds.add(ms, ordering: .relaxed) }
    }

    @Test("the previous window's count fades linearly; Retry-After says when the next hit fits")
    func slidingWindow() throws {
        let clock = Clock()
        let limiter = RateLimiter(store: InMemoryRateLimitStore { clock.milliseconds.load(ordering: .relaxed) })
        // Start exactly at a window boundary (windows are aligned to the epoch).
        clock.advance(60_000 - clock.milliseconds.load(ordering: .relaxed) % 60_000)
        for _ in 0..<4 { #expect(try limiter.consume(key: "k", limit: 4, window: .seconds(60)).isAllowed) }
        let full = try limiter.consume(key: "k", limit: 4, window: .seconds(60))
        #expect(!full.isAllowed)
        // Next window starts in 60 s; then 4·(1 − f) + 1 ≤ 4 needs f ≥ 1/4: 15 s more.
        #expect(full.retryAfterSeconds == 75)
        clock.advance(60_000 + 14_000)
        #expect(try !limiter.consume(key: "k", limit: 4, window: .seconds(60)).isAllowed)
        clock.advance(1_000)
        #expect(try limiter.consume(key: "k", limit: 4, window: .seconds(60)).isAllowed)
        clock.advance(120_000)
        #expect(try limiter.consume(key: "k", limit: 4, window: .seconds(60)).remaining == 3)
    }
}
