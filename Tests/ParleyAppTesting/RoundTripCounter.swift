import Postgres

/// Counts what the database of an ``APIHarness`` sends: round trips, statements, and the SQL
/// that starts each round trip. For tests of how many trips a request makes.
final class RoundTripCounter: PostgresObserver {
    private(set) var roundTrips = 0
    private(set) var statements = 0
    /// The first statement of each round trip (a pipeline's first), in order.
    private(set) var sql: [String] = []

    /// Forgets what was counted (before the request under test).
    func reset() {
        roundTrips = 0
        statements = 0
        sql = []
    }

    func statementStarted(_ sql: UnsafeRawBufferPointer) {
        self.sql.append(String(decoding: sql, as: UTF8.self))
    }

    func statementFinished(failed: Bool) {}

    func connected(_ canceller: PostgresCanceller, reconnect: Bool) {}

    func roundTrip(statements: Int) {
        roundTrips += 1
        self.statements += statements
    }
}
