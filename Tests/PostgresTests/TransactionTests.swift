import ParleyTesting
import Foundation
import Testing

@testable import Postgres

struct Boom: Error, Equatable {}

extension DatabaseTests {
    @Suite("Transactions")
    struct TransactionTests {
        let connection: PostgresConnection
        let table: String

        init() throws {
            self.connection = try TestEnvironment.connect()
            self.table = TestEnvironment.uniqueName("tx")
            try self.connection.execute("CREATE TABLE \(identifier: self.table) (id int PRIMARY KEY, value int NOT NULL)")
            try self.connection.execute("INSERT INTO \(identifier: self.table) VALUES (1, 0)")
        }

        func value(_ connection: PostgresConnection? = nil) throws -> Int {
            try (connection ?? self.connection).query("SELECT value FROM \(identifier: self.table) WHERE id = 1").first!.decode(Int.self)
        }

        func dropTable() {
            _ = try? self.connection.execute("DROP TABLE IF EXISTS \(identifier: self.table)")
        }

        @Test("commit keeps the changes and returns the closure's value")
        func commits() throws {
            defer { self.dropTable() }
            let result = try self.connection.withTransaction { connection in
                try connection.execute("UPDATE \(identifier: self.table) SET value = 5 WHERE id = 1")
                return "done"
            }
            #expect(result == "done")
            #expect(try self.value() == 5)
            #expect(!self.connection.isInTransaction)
        }

        @Test("a throwing closure rolls back; the closure's error is kept")
        func rollsBack() throws {
            defer { self.dropTable() }
            let error = #expect(throws: PostgresTransactionError.self) {
                try self.connection.withTransaction { connection in
                    try connection.execute("UPDATE \(identifier: self.table) SET value = 99 WHERE id = 1")
                    throw Boom()
                }
            }
            #expect(error?.closureError is Boom)
            #expect(error?.beginError == nil)
            #expect(error?.rollbackError == nil)
            #expect(error?.commitError == nil)
            #expect(try self.value() == 0)
            #expect(!self.connection.isInTransaction)
        }

        @Test("a server error in the closure rolls back and keeps its SQLSTATE")
        func serverErrorRollsBack() throws {
            defer { self.dropTable() }
            let error = #expect(throws: PostgresTransactionError.self) {
                try self.connection.withTransaction { connection in
                    try connection.execute("UPDATE \(identifier: self.table) SET value = 7 WHERE id = 1")
                    try connection.execute("INSERT INTO \(identifier: self.table) VALUES (1, 1)")
                }
            }
            #expect(error?.postgresError?.code == .uniqueViolation)
            #expect(try self.value() == 0)
        }

        @Test("an error caught inside the closure makes COMMIT fail instead of silently rolling back")
        func caughtErrorFailsCommit() throws {
            defer { self.dropTable() }
            let error = #expect(throws: PostgresTransactionError.self) {
                try self.connection.withTransaction { connection in
                    try connection.execute("UPDATE \(identifier: self.table) SET value = 3 WHERE id = 1")
                    _ = try? connection.execute("SELECT 1/0")
                }
            }
            #expect(error?.closureError == nil)
            #expect((error?.commitError as? PostgresError)?.code == .inFailedSqlTransaction)
            #expect(try self.value() == 0)
        }

        @Test("the isolation level is applied", arguments: PostgresIsolationLevel.allCases)
        func isolation(level: PostgresIsolationLevel) throws {
            defer { self.dropTable() }
            let shown = try self.connection.withTransaction(isolation: level) { connection in
                try connection.query("SHOW transaction_isolation").first!.decode(String.self)
            }
            #expect(shown == level.rawValue.lowercased())
        }

        @Test("transactions do not nest")
        func noNesting() throws {
            defer { self.dropTable() }
            let error = #expect(throws: PostgresTransactionError.self) {
                try self.connection.withTransaction { connection in
                    try connection.withTransaction { _ in }
                }
            }
            #expect((error?.closureError as? PostgresTransactionError)?.beginError != nil)
        }

        /// First attempt: read (taking the snapshot), let another connection commit a change to
        /// the same row, then update it: REPEATABLE READ and SERIALIZABLE answer 40001.
        @Test("a forced serialization failure between two connections is retried and succeeds")
        func serializationFailureRetried() throws {
            defer { self.dropTable() }
            let other = try TestEnvironment.connect()
            var count = 0
            try self.connection.withTransaction(isolation: .repeatableRead) { connection in
                count += 1
                let current = try self.value(connection)
                if count == 1 {
                    try other.execute("UPDATE \(identifier: self.table) SET value = value + 1 WHERE id = 1")
                }
                try connection.execute("UPDATE \(identifier: self.table) SET value = \(current + 10) WHERE id = 1")
            }
            #expect(count == 2)
            #expect(try self.value() == 11)  // the other connection's +1, then our +10 on a fresh snapshot
        }

        @Test("serialization failures stop after maxAttempts, reporting 40001")
        func retryIsBounded() throws {
            defer { self.dropTable() }
            let other = try TestEnvironment.connect()
            var count = 0
            let error = #expect(throws: PostgresTransactionError.self) {
                try self.connection.withTransaction(isolation: .serializable, maxAttempts: 2) { connection in
                    count += 1
                    let current = try self.value(connection)
                    try other.execute("UPDATE \(identifier: self.table) SET value = value + 1 WHERE id = 1")
                    try connection.execute("UPDATE \(identifier: self.table) SET value = \(current + 10) WHERE id = 1")
                }
            }
            #expect(count == 2)
            #expect(error?.attempts == 2)
            #expect(error?.postgresError?.code == .serializationFailure)
            #expect(error?.isRetryable == true)
        }

        @Test("PostgresDatabase.transaction retries a serialization failure")
        func databaseRetries() throws {
            defer { self.dropTable() }
            let database = PostgresDatabase(configuration: try TestEnvironment.configuration(), logger: TestEnvironment.logger)
            let other = try TestEnvironment.connect()
            var count = 0
            let result = try database.transaction(isolation: .serializable) { connection in
                count += 1
                let current = try self.value(connection)
                if count == 1 {
                    try other.execute("UPDATE \(identifier: self.table) SET value = value + 1 WHERE id = 1")
                }
                try connection.execute("UPDATE \(identifier: self.table) SET value = \(current + 10) WHERE id = 1")
                return current
            }
            #expect(count == 2)
            #expect(result == 1)
            #expect(try self.value() == 11)
        }

        @Test("a deadlock between two threads is retried and both finish")
        func deadlockRetried() throws {
            defer { self.dropTable() }
            try self.connection.execute("INSERT INTO \(identifier: self.table) VALUES (2, 0)")
            let url = try TestEnvironment.configuration()
            let table = self.table
            let outcomes = Outcomes()
            let threads = [(1, 2), (2, 1)].map { first, second in
                Thread {
                    do {
                        let connection = try PostgresConnection(configuration: url, logger: TestEnvironment.logger)
                        var count = 0
                        try connection.withTransaction(maxAttempts: 5) { connection in
                            count += 1
                            try connection.execute("UPDATE \(identifier: table) SET value = value + 1 WHERE id = \(Int32(first))")
                            Thread.sleep(forTimeInterval: 0.2)
                            try connection.execute("UPDATE \(identifier: table) SET value = value + 1 WHERE id = \(Int32(second))")
                        }
                        outcomes.record(.success(count))
                    } catch {
                        outcomes.record(.failure(error))
                    }
                }
            }
            threads.forEach { $0.start() }
            let results = outcomes.wait(for: 2, timeout: 30)
            let counts = try results.map { try $0.get() }
            #expect(counts.sorted() == [1, 2])  // one of them was chosen as the deadlock victim and ran again
            let total = try self.connection.query("SELECT sum(value) FROM \(identifier: self.table)").first!.decode(Int.self)
            #expect(total == 4)
        }
    }
}

/// Collects results from threads.
final class Outcomes: @unchecked Sendable {  // every access goes through `condition`
    private let condition = NSCondition()
    private var results: [Result<Int, any Error>] = []

    func record(_ result: Result<Int, any Error>) {
        self.condition.lock()
        self.results.append(result)
        self.condition.broadcast()
        self.condition.unlock()
    }

    func wait(for count: Int, timeout: TimeInterval) -> [Result<Int, any Error>] {
        let deadline = Date().addingTimeInterval(timeout)
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.results.count < count, self.condition.wait(until: deadline) {}
        return self.results
    }
}
