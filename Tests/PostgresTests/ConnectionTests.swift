import ParleyTesting
import Foundation
import Logging
import Testing

@testable import Postgres

extension DatabaseTests {
    @Suite("Connection")
    struct ConnectionTests {
        @Test("session settings and application_name are applied on connect")
        func sessionSettings() throws {
            let connection = try TestEnvironment.connect { configuration in
                configuration.applicationName = "parley-test"
                configuration.statementTimeout = .milliseconds(1234)
                configuration.lockTimeout = .seconds(2)
                configuration.idleInTransactionSessionTimeout = .seconds(61)
            }
            let row = try connection.query("""
                SELECT current_setting('statement_timeout'), current_setting('lock_timeout'),
                       current_setting('idle_in_transaction_session_timeout'), current_setting('application_name'),
                       current_setting('client_encoding')
                """).first!
            let settings = try row.decode((String, String, String, String, String).self)
            #expect(settings == ("1234ms", "2s", "61s", "parley-test", "UTF8"))
            let defaults = try TestEnvironment.connect()
            #expect(try defaults.query("SHOW statement_timeout").first!.decode(String.self) == "30s")
        }

        @Test("the statement timeout cancels long statements")
        func statementTimeout() throws {
            let connection = try TestEnvironment.connect { $0.statementTimeout = .milliseconds(100) }
            let error = #expect(throws: PostgresError.self) { try connection.query("SELECT pg_sleep(2)") }
            #expect(error?.code == .queryCanceled)
            #expect(try connection.query("SELECT 1").count == 1)
        }

        @Test("a bad URL is a connection error")
        func badURL() {
            let error = #expect(throws: PostgresError.self) {
                try PostgresConnection(
                    configuration: PostgresConfiguration(url: "postgresql:///parley?host=/nonexistent-dir"),
                    logger: TestEnvironment.logger)
            }
            #expect(error?.kind == .connection)
            #expect(error?.isConnectionFailure == true)
        }

        @Test("hot queries are prepared once and executed by name; the cache is a bounded LRU")
        func preparedStatements() throws {
            let connection = try TestEnvironment.connect { $0.preparedStatementCacheSize = 2 }
            for value in 1...5 {
                #expect(try connection.query("SELECT \(value) AS n").first!.decode(Int.self) == value)
            }
            #expect(connection.preparedStatementCount == 1)
            let prepared = try connection.query("SELECT count(*) FROM pg_prepared_statements").first!.decode(Int.self)
            #expect(prepared == 2)  // ours, and the count query itself
            _ = try connection.query("SELECT \("x") AS s")
            _ = try connection.query("SELECT \(1.5) AS d")
            #expect(connection.preparedStatementCount == 2)
            let names = try connection.query("SELECT statement FROM pg_prepared_statements").map { try $0.decode(String.self) }
            #expect(names.count == 2)
            #expect(!names.contains("SELECT $1 AS n"))  // the least recently used was deallocated
            #expect(try connection.query("SELECT \(9) AS n").first!.decode(Int.self) == 9)
        }

        @Test("the same SQL with different parameter types is prepared separately")
        func typesInKey() throws {
            let connection = try TestEnvironment.connect()
            #expect(try connection.query("SELECT \(1)::text").first!.decode(String.self) == "1")
            #expect(try connection.query("SELECT \("a")::text").first!.decode(String.self) == "a")
            #expect(connection.preparedStatementCount == 2)
        }

        @Test("statements lost to DISCARD ALL are prepared again transparently")
        func discardAll() throws {
            let connection = try TestEnvironment.connect()
            #expect(try connection.query("SELECT \(1) AS n").count == 1)
            try connection.executeScript("DISCARD ALL")
            #expect(try connection.query("SELECT \(2) AS n").first!.decode(Int.self) == 2)
        }

        @Test("without named statements (poolers), queries still work")
        func unprepared() throws {
            let connection = try TestEnvironment.connect { $0.preparedStatementCacheSize = 0 }
            #expect(try connection.query("SELECT \(3) AS n").first!.decode(Int.self) == 3)
            #expect(try connection.pipeline(["SELECT \(4)", "SELECT \(5)"]).map { try $0.get().first!.decode(Int.self) } == [4, 5])
            #expect(try connection.forEachRow("SELECT g FROM generate_series(1, \(3)) g") { _ in } == 3)
            #expect(connection.preparedStatementCount == 0)
        }

        @Test("each statement is logged with its duration at debug level, slow ones at warning, never with bind values")
        func queryLog() throws {
            let store = CapturingLogHandler.Store()
            var configuration = try TestEnvironment.configuration()
            configuration.slowQueryThreshold = .milliseconds(500)
            let connection = try PostgresConnection(configuration: configuration, logger: CapturingLogHandler.logger(store))
            let secret = "top-secret-value"
            _ = try connection.query("SELECT \(secret) AS s")
            _ = try connection.query("SELECT pg_sleep(0.6), \(secret)")
            _ = try? connection.query("SELECT \(secret)::int")

            let records = store.all
            let fast = records.first { $0.message == "query" && $0.metadata["sql"]?.description == "SELECT $1 AS s" }
            #expect(fast?.level == .debug)
            #expect(fast?.metadata["duration_ms"] != nil)
            let slow = records.first { $0.message == "slow query" }
            #expect(slow?.level == .warning)
            #expect(slow?.metadata["sql"]?.description == "SELECT pg_sleep(0.6), $1")
            #expect(Double(slow?.metadata["duration_ms"]?.description ?? "") ?? 0 >= 500)
            let everything = records.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
            #expect(!everything.contains(secret))
        }

        @Test("server notices go to the logger, not stderr")
        func notices() throws {
            let store = CapturingLogHandler.Store()
            let connection = try PostgresConnection(configuration: try TestEnvironment.configuration(), logger: CapturingLogHandler.logger(store))
            try connection.executeScript("DO $$ BEGIN RAISE WARNING 'watch out'; END $$")
            #expect(store.all.contains { $0.level == .warning && $0.message.contains("watch out") })
        }
    }
}
