import Postgres
import Web

/// Counters in the `rate_limit_counters` table (migration 0002), one row per key, written by a
/// single upsert per hit. Time is the database's clock, which every instance shares.
struct PostgresRateLimitStore: RateLimitStore {
    let database: PostgresDatabase
    /// One hit in this many also deletes up to 500 expired rows.
    static let purgeOneIn = 128

    func hit(key: String, limit: Int, windowMilliseconds: Int64) throws -> RateLimitSample {
        try database.write { connection in
            // The inserted row is a key's first hit. On conflict, `c` is the stored row and EXCLUDED
            // the fresh one (now's bucket, the limit, the window); the update rolls c's windows to
            // now's bucket and adds the hit only if the sliding estimate stays within the limit.
            let rows = try connection.query("""
                WITH clock AS (SELECT (extract(epoch FROM now()) * 1000)::bigint AS now_ms)
                INSERT INTO rate_limit_counters AS c
                    (key, window_ms, limit_count, bucket, previous_count, current_count, last_allowed, expires_at)
                SELECT \(key), \(windowMilliseconds), \(limit), now_ms / \(windowMilliseconds), 0,
                       CASE WHEN \(limit) >= 1 THEN 1 ELSE 0 END, \(limit) >= 1,
                       to_timestamp((now_ms / \(windowMilliseconds) + 2) * \(windowMilliseconds) / 1000.0)
                FROM clock
                ON CONFLICT (key) DO UPDATE SET \(unsafeRaw: Self.rollAndCount)
                RETURNING previous_count, current_count, last_allowed,
                          (extract(epoch FROM now()) * 1000)::bigint - bucket * window_ms AS elapsed_ms
                """)
            let (previous, current, allowed, elapsed) = try rows[0].decode((Int, Int, Bool, Int64).self)
            if !connection.isInTransaction, Int.random(in: 0..<Self.purgeOneIn) == 0 {
                purgeExpired(connection)
            }
            return RateLimitSample(
                previousCount: previous, currentCount: current, elapsedMilliseconds: elapsed,
                windowMilliseconds: windowMilliseconds, recorded: allowed)
        }
    }

    func sample(key: String, windowMilliseconds: Int64) throws -> RateLimitSample? {
        try database.read { connection in
            let rows = try connection.query("""
                SELECT window_ms, bucket, previous_count, current_count,
                       (extract(epoch FROM now()) * 1000)::bigint AS now_ms
                FROM rate_limit_counters WHERE key = \(key)
                """)
            guard let row = rows.first else { return nil }
            let (window, bucket, previous, current, now) = try row.decode((Int64, Int64, Int, Int, Int64).self)
            let stored = RateLimitCounters(windowMilliseconds: window, bucket: bucket, previousCount: previous, currentCount: current)
            let nowBucket = now / windowMilliseconds
            let counters = stored.rolled(to: nowBucket, windowMilliseconds: windowMilliseconds)
            return RateLimitSample(
                previousCount: counters.previousCount, currentCount: counters.currentCount,
                elapsedMilliseconds: now - nowBucket * windowMilliseconds, windowMilliseconds: windowMilliseconds, recorded: false)
        }
    }

    func reset(key: String) throws {
        try database.write { connection in
            try connection.execute("DELETE FROM rate_limit_counters WHERE key = \(key)")
        }
    }

    /// Best effort: a failure here must not fail the request that happened to trigger it.
    private func purgeExpired(_ connection: PostgresConnection) {
        do {
            try connection.execute("""
                DELETE FROM rate_limit_counters WHERE key IN (
                    SELECT key FROM rate_limit_counters WHERE expires_at < now() LIMIT 500 FOR UPDATE SKIP LOCKED)
                """)
        } catch {
            database.logger.debug("rate limit purge failed", metadata: ["error": "\(logDescription(of: error))"])
        }
    }

    // The SET clause of the upsert; constant text, no values. Every expression reads the stored
    // row (`c`), so the order of assignments does not matter.
    //   previous' = c.previous if same window, c.current if c is the window before, else 0
    //   current'  = c.current if same window, else 0
    //   allowed   = previous'·(1 − elapsed/window) + current' + 1 ≤ limit
    private static let same = "(c.window_ms = EXCLUDED.window_ms AND c.bucket = EXCLUDED.bucket)"
    private static let adjacent = "(c.window_ms = EXCLUDED.window_ms AND c.bucket = EXCLUDED.bucket - 1)"
    private static let previous = "(CASE WHEN \(same) THEN c.previous_count WHEN \(adjacent) THEN c.current_count ELSE 0 END)"
    private static let current = "(CASE WHEN \(same) THEN c.current_count ELSE 0 END)"
    private static let fraction =
        "(((extract(epoch FROM now()) * 1000)::bigint - EXCLUDED.bucket * EXCLUDED.window_ms)::float8 / EXCLUDED.window_ms)"
    private static let allowed = "(\(previous) * (1 - \(fraction)) + \(current) + 1 <= EXCLUDED.limit_count)"
    private static let rollAndCount = """
        previous_count = \(previous),
                    current_count = \(current) + CASE WHEN \(allowed) THEN 1 ELSE 0 END,
                    last_allowed = \(allowed),
                    window_ms = EXCLUDED.window_ms,
                    limit_count = EXCLUDED.limit_count,
                    bucket = EXCLUDED.bucket,
                    expires_at = EXCLUDED.expires_at
        """
}
