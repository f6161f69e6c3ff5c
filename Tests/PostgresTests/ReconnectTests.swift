import ParleyTesting
import Foundation
import Testing

@testable import Postgres

extension DatabaseTests {
    @Suite("Reconnecting")
    struct ReconnectTests {
        let database: PostgresDatabase
        let admin: PostgresConnection

        init() throws {
            self.database = PostgresDatabase(configuration: try TestEnvironment.configuration(), logger: TestEnvironment.logger)
            self.admin = try TestEnvironment.connect()
        }

        func backendPID() throws -> Int {
            try self.database.read { try $0.query("SELECT pg_backend_pid()").first!.decode(Int.self) }
        }

        func terminate(_ pid: Int) throws {
            let terminated = try self.admin.query("SELECT pg_terminate_backend(\(Int32(pid)), \(Int64(5000)))").first!.decode(Bool.self)
            #expect(terminated)
        }

        @Test("the database does not connect until first used")
        func lazy() throws {
            let database = PostgresDatabase(
                configuration: PostgresConfiguration(url: "postgresql:///nowhere?host=/nonexistent&connect_timeout=2"),
                logger: TestEnvironment.logger)
            _ = database
        }

        @Test("after pg_terminate_backend, the next query through PostgresDatabase succeeds")
        func terminatedBackend() throws {
            let before = try self.backendPID()
            try self.terminate(before)
            let after = try self.backendPID()
            #expect(after != before)
            #expect(self.database.ping())
        }

        @Test("after pg_terminate_backend of an idle connection, a write goes through at once (it checks the socket first) and so does a read (it is retried)")
        func idleConnectionClosedByServer() throws {
            try self.terminate(try self.backendPID())
            #expect(try self.database.write { try $0.query("SELECT pg_backend_pid()").first!.decode(Int.self) } > 0)
            let before = try self.backendPID()
            try self.terminate(before)
            #expect(try self.backendPID() != before)
        }

        @Test("a read whose connection breaks mid-way is retried once on a fresh connection")
        func readRetriedOnce() throws {
            var calls = 0
            let value = try self.database.read { connection -> Int in
                calls += 1
                if calls == 1 {
                    _ = try connection.query("SELECT pg_terminate_backend(pg_backend_pid())")
                }
                return try connection.query("SELECT 42").first!.decode(Int.self)
            }
            #expect(calls == 2)
            #expect(value == 42)
        }

        @Test("a write whose connection breaks is not re-sent; the next write works")
        func writeNotRetried() throws {
            let table = TestEnvironment.uniqueName("writes")
            try self.admin.execute("CREATE TABLE \(identifier: table) (n int)")
            defer { _ = try? self.admin.execute("DROP TABLE \(identifier: table)") }
            var calls = 0
            let error = #expect(throws: PostgresError.self) {
                try self.database.write { connection in
                    calls += 1
                    try connection.execute("INSERT INTO \(identifier: table) VALUES (1)")
                    try connection.execute("SELECT pg_terminate_backend(pg_backend_pid())")
                }
            }
            #expect(calls == 1)
            #expect(error?.isConnectionFailure == true)
            try self.database.write { try $0.execute("INSERT INTO \(identifier: table) VALUES (2)") }
            let rows = try self.admin.query("SELECT n FROM \(identifier: table) ORDER BY n").map { try $0.decode(Int.self) }
            #expect(rows == [1, 2])
        }

        @Test("a transaction whose connection breaks before COMMIT runs again on a fresh connection")
        func transactionRetriedOnce() throws {
            let table = TestEnvironment.uniqueName("txretry")
            try self.admin.execute("CREATE TABLE \(identifier: table) (n int)")
            defer { _ = try? self.admin.execute("DROP TABLE \(identifier: table)") }
            var calls = 0
            try self.database.transaction { connection in
                calls += 1
                try connection.execute("INSERT INTO \(identifier: table) VALUES (\(Int32(calls)))")
                if calls == 1 {
                    try connection.execute("SELECT pg_terminate_backend(pg_backend_pid())")
                }
            }
            #expect(calls == 2)
            // The first attempt was never committed; only the second row exists.
            let rows = try self.admin.query("SELECT n FROM \(identifier: table)").map { try $0.decode(Int.self) }
            #expect(rows == [2])
        }

        @Test("a transaction left open by a closure is rolled back before the next call")
        func leftOpenTransaction() throws {
            try self.database.write { try $0.executeScript("BEGIN") }
            #expect(try self.database.read { $0.isInTransaction } == false)
        }

        @Test("an unreachable database makes ping false, quickly, and the error says why")
        func unreachable() throws {
            var configuration = PostgresConfiguration(url: "postgresql:///parley?host=/nonexistent-socket-dir&port=1")
            configuration.reconnectAttempts = 2
            configuration.reconnectBaseDelay = .milliseconds(10)
            let database = PostgresDatabase(configuration: configuration, logger: TestEnvironment.logger)
            let start = ContinuousClock.now
            #expect(!database.ping())
            let error = #expect(throws: PostgresError.self) { try database.read { _ in } }
            #expect(error?.isConnectionFailure == true)
            #expect(error?.description.contains("nonexistent-socket-dir") == true)
            #expect(start.duration(to: .now) < .seconds(5))
        }

        @Test(
            "after a PostgreSQL restart, the next query succeeds",
            .enabled(if: TestEnvironment.canRestartDatabase, "PARLEY_TEST_PG_CTL is not set"))
        func serverRestart() throws {
            let command = try TestEnvironment.pgCtl
            let before = try self.backendPID()
            let status = try TestEnvironment.shell("\(command) restart -m fast -w")
            #expect(status == 0, "pg_ctl restart failed")
            let after = try self.backendPID()
            #expect(after != before)
            #expect(self.database.ping())
            #expect(try self.database.write { try $0.query("SELECT 1").count } == 1)
        }
    }
}
