import ParleyTesting
import Foundation
import Testing

@testable import Postgres

extension DatabaseTests {
    /// The observer's round-trip count is what the status page's `database_round_trips` and
    /// make bench's per-request columns report, so it must count what really goes to the server.
    @Suite("Round trips")
    struct RoundTripCountTests {
        /// Round trips and their statements, in order.
        final class Trips: PostgresObserver {
            var statements: [Int] = []
            func statementStarted(_ sql: UnsafeRawBufferPointer) {}
            func statementFinished(failed: Bool) {}
            func connected(_ canceller: PostgresCanceller, reconnect: Bool) {}
            func roundTrip(statements: Int) { self.statements.append(statements) }
        }

        @Test("a statement is one round trip once prepared; its first use prepares it in one more")
        func statements() throws {
            let trips = Trips()
            let connection = try PostgresConnection(configuration: try TestEnvironment.configuration(), logger: TestEnvironment.logger, observer: trips)
            trips.statements = []  // the session settings
            _ = try connection.query("SELECT \(1) AS one, 'round trips' AS test")
            #expect(trips.statements == [0, 1], "PREPARE, then the statement")
            trips.statements = []
            _ = try connection.query("SELECT \(2) AS one, 'round trips' AS test")
            #expect(trips.statements == [1])
        }

        @Test("a pipeline is one round trip for all its statements, PREPAREs included; rejected ones are not sent")
        func pipeline() throws {
            let trips = Trips()
            let connection = try PostgresConnection(configuration: try TestEnvironment.configuration(), logger: TestEnvironment.logger, observer: trips)
            trips.statements = []
            _ = try connection.pipeline(["SELECT \(1) AS a, 'pipeline 1'", "SELECT \(2) AS b, 'pipeline 2'", "SELECT \(3) AS c, 'pipeline 3'"])
            #expect(trips.statements == [3])
            trips.statements = []
            _ = try connection.pipeline(["SELECT \(1) AS a, 'pipeline 1'", PostgresQuery(unsafeSQL: "SELECT 1\u{0}")])
            #expect(trips.statements == [1], "a NUL in the text is refused before sending")
            trips.statements = []
            _ = try connection.pipeline(["SELECT \(1) AS a, 'pipeline 1'", "SELECT \(2) AS b, 'pipeline 2'"], sync: .once)
            #expect(trips.statements == [2])
        }

        @Test("a transaction adds BEGIN and COMMIT, each a round trip")
        func transaction() throws {
            let trips = Trips()
            let connection = try PostgresConnection(configuration: try TestEnvironment.configuration(), logger: TestEnvironment.logger, observer: trips)
            _ = try connection.query("SELECT \(1) AS one, 'in a transaction'")
            trips.statements = []
            try connection.withTransaction { connection in
                _ = try connection.query("SELECT \(1) AS one, 'in a transaction'")
            }
            #expect(trips.statements == [1, 1, 1])
        }
    }
}
