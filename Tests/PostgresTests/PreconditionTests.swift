import ParleyTesting
import Foundation
import Testing

@testable import Postgres

extension DatabaseTests {
    /// A precondition (an access token's user check) rides in front of a read's first round
    /// trip; its refusal hides what that read returned, and nothing is written behind it.
    @Suite("Preconditions")
    struct PreconditionTests {
        struct Refused: Error {}

        let trips = RoundTripCountTests.Trips()
        let database: PostgresDatabase

        init() throws {
            database = PostgresDatabase(configuration: try TestEnvironment.configuration(), logger: TestEnvironment.logger, observer: trips)
            try database.write { try $0.execute("CREATE TEMP TABLE precondition_notes (id int PRIMARY KEY)") }
            // Both statements prepared, so each later use is one statement in its round trip.
            _ = try database.read { try $0.query("SELECT \(1) AS allowed, 'precondition'") }
            _ = try database.read { try $0.query("SELECT count(*) FROM precondition_notes WHERE id > \(0)") }
        }

        /// "Allowed when the check's row says 1": what a user check does with its row.
        func precondition(_ allowed: Int, seen: @escaping (Int) -> Void = { _ in }) -> PostgresPrecondition {
            PostgresPrecondition(query: "SELECT \(allowed) AS allowed, 'precondition'") { rows in
                let value = try rows.first!.decode(Int.self, column: "allowed")
                seen(value)
                guard value == 1 else { throw Refused() }
            }
        }

        @Test("a passing check goes in the read's round trip, once")
        func joined() throws {
            var checks = 0
            database.setPrecondition(precondition(1) { _ in checks += 1 })
            trips.statements = []
            let count = try database.read { try $0.query("SELECT count(*) FROM precondition_notes WHERE id > \(0)").first!.decode(Int.self) }
            #expect(count == 0)
            #expect(trips.statements == [2], "the check and the read in one round trip")
            _ = try database.read { try $0.query("SELECT count(*) FROM precondition_notes WHERE id > \(0)") }
            #expect(checks == 1 && trips.statements == [2, 1], "consumed by the first read")
        }

        @Test("a refused check hides the read's rows: the read throws its refusal")
        func refusedRead() throws {
            database.setPrecondition(precondition(0))
            #expect(throws: Refused.self) {
                _ = try database.read { try $0.pipeline(["SELECT count(*) FROM precondition_notes WHERE id > \(0)"]) }
            }
            // Consumed: the next read runs alone.
            trips.statements = []
            _ = try database.read { try $0.query("SELECT count(*) FROM precondition_notes WHERE id > \(0)") }
            #expect(trips.statements == [1])
        }

        @Test("a write settles the check alone first, and a refusal writes nothing")
        func writeBehindCheck() throws {
            database.setPrecondition(precondition(0))
            trips.statements = []
            #expect(throws: Refused.self) {
                try database.write { try $0.execute("INSERT INTO precondition_notes VALUES (\(1))") }
            }
            #expect(trips.statements == [1], "only the check went to the server")
            #expect(try database.read { try $0.query("SELECT count(*) FROM precondition_notes WHERE id > \(0)").first!.decode(Int.self) } == 0)

            database.setPrecondition(precondition(1))
            trips.statements = []
            try database.transaction { try $0.execute("INSERT INTO precondition_notes VALUES (\(2))") }
            #expect(trips.statements.first == 1, "the check, alone, before BEGIN")
            #expect(try database.read { try $0.query("SELECT count(*) FROM precondition_notes WHERE id > \(0)").first!.decode(Int.self) } == 1)
        }

        @Test("a dropped check goes nowhere; settling runs a pending one alone")
        func dropAndSettle() throws {
            var checks = 0
            database.setPrecondition(precondition(1) { _ in checks += 1 })
            database.setPrecondition(nil)
            trips.statements = []
            _ = try database.read { try $0.query("SELECT count(*) FROM precondition_notes WHERE id > \(0)") }
            #expect(checks == 0 && trips.statements == [1])

            database.setPrecondition(precondition(1) { _ in checks += 1 })
            try database.settlePrecondition()
            try database.settlePrecondition()
            #expect(checks == 1, "settled once")
        }
    }
}
