import ParleyTesting
import Foundation
import Testing

@testable import Postgres

extension DatabaseTests {
    @Suite("Pipeline")
    struct PipelineTests {
        let connection: PostgresConnection

        init() throws {
            self.connection = try TestEnvironment.connect()
            try self.connection.execute("CREATE TEMP TABLE notes (id int PRIMARY KEY, body text)")
        }

        @Test("results come back in order; one failing statement is reported where it failed")
        func ordered() throws {
            let results = try self.connection.pipeline([
                "SELECT \(1) AS n",
                "INSERT INTO notes VALUES (\(Int32(1)), \("first"))",
                "SELECT 1 / \(0) AS boom",
                "INSERT INTO notes VALUES (\(Int32(2)), \("second"))",
                "SELECT body FROM notes ORDER BY id",
            ])
            #expect(results.count == 5)
            #expect(try results[0].get().first!.decode(Int.self) == 1)
            #expect(try results[1].get().affectedRows == 1)
            guard case .failure(let error) = results[2] else {
                Issue.record("statement 3 should have failed")
                return
            }
            #expect(error.code == .divisionByZero)
            #expect(error.sql == "SELECT 1 / $1 AS boom")
            // Independent statements: the ones after the failure ran.
            #expect(try results[3].get().affectedRows == 1)
            #expect(try results[4].get().map { try $0.decode(String.self) } == ["first", "second"])
            #expect(!self.connection.isInTransaction)
        }

        @Test("a pipeline's results share one owner: each stays readable alone, names resolve per result")
        func sharedOwner() throws {
            struct Named: Decodable { var someValue: Int32 }
            var kept: [PostgresRow] = []
            do {
                let results = try self.connection.pipeline([
                    "SELECT \(Int32(1)) AS a, \(Int32(2)) AS b",
                    "SELECT 1 / \(0) AS boom",
                    "SELECT \(Int32(3)) AS b, \(Int32(4)) AS some_value",
                    "SELECT x AS some_value FROM generate_series(\(Int32(5)), \(Int32(7))) AS x",
                ])
                kept = [try results[0].get()[0], try results[2].get()[0]] + Array(try results[3].get())
            }
            // The pipeline's array is gone; the rows keep every result alive.
            #expect(try kept[0].decode(Int32.self, column: "b") == 2)
            #expect(try kept[1].decode(Int32.self, column: "b") == 3)
            #expect(try kept[1].decode(Named.self).someValue == 4)
            #expect(try kept[0].isNull(column: "a") == false)
            #expect(throws: PostgresError.self) { try kept[0].decode(Named.self) }
            #expect(try kept.dropFirst(2).map { try $0.decode(Named.self).someValue } == [5, 6, 7])
        }

        @Test("a statement that cannot be prepared fails alone; invalid binds never leave the client")
        func prepareFailure() throws {
            let results = try self.connection.pipeline([
                "SELECT \("a")",
                "SELEC \("b")",
                "SELECT \("nul\u{0}")",
                "SELECT \("c")",
            ])
            #expect(try results[0].get().first!.decode(String.self) == "a")
            #expect(throws: PostgresError.self) { try results[1].get() }
            if case .failure(let error) = results[1] { #expect(error.code == .syntaxError) }
            if case .failure(let error) = results[2] { #expect(error.kind == .encoding) } else { Issue.record("expected an encoding error") }
            #expect(try results[3].get().first!.decode(String.self) == "c")
            #expect(try self.connection.query("SELECT 1").count == 1)
        }

        @Test("a pipeline reuses and feeds the prepared statement cache")
        func usesCache() throws {
            let before = self.connection.preparedStatementCount
            let queries: [PostgresQuery] = (1...50).map { "SELECT \($0) * 2 AS doubled" }
            let results = try self.connection.pipeline(queries)
            #expect(try results.map { try $0.get().first!.decode(Int.self) } == (1...50).map { $0 * 2 })
            #expect(self.connection.preparedStatementCount == before + 1)
            let again = try self.connection.pipeline(queries)
            #expect(try again.map { try $0.get().first!.decode(Int.self) } == (1...50).map { $0 * 2 })
            #expect(try self.connection.query("SELECT \(21) * 2 AS doubled").first!.decode(Int.self) == 42)
        }

        @Test("repeated statements share one prepared statement; failures and rejections stay in place")
        func repeatedStatements() throws {
            let before = self.connection.preparedStatementCount
            // The same statement with a failing value in the middle, an invalid bind between two
            // uses, a statement with other bind types, then the first one again.
            let results = try self.connection.pipeline([
                "SELECT 10 / \(Int32(1)) AS n",
                "SELECT 10 / \(Int32(0)) AS n",
                "SELECT 10 / \(Int32(2)) AS n",
                "SELECT \("nul\u{0}")",
                "SELECT 10 / \(Int32(5)) AS n",
                "SELECT 10 / \(Int64(10)) AS n",
                "SELECT 10 / \(Int32(10)) AS n",
            ])
            #expect(results.count == 7)
            #expect(try results[0].get().first!.decode(Int.self) == 10)
            if case .failure(let error) = results[1] { #expect(error.code == .divisionByZero) } else { Issue.record("expected division by zero") }
            #expect(try results[2].get().first!.decode(Int.self) == 5)
            if case .failure(let error) = results[3] { #expect(error.kind == .encoding) } else { Issue.record("expected an encoding error") }
            #expect(try results[4].get().first!.decode(Int.self) == 2)
            #expect(try results[5].get().first!.decode(Int.self) == 1)
            #expect(try results[6].get().first!.decode(Int.self) == 1)
            // One statement per SQL text and bind types: int4 and int8.
            #expect(self.connection.preparedStatementCount == before + 2)
        }

        @Test("a statement that cannot be prepared fails at each of its uses, and is not cached")
        func repeatedPrepareFailure() throws {
            let before = self.connection.preparedStatementCount
            let results = try self.connection.pipeline([
                "SELECT nosuchcolumn + \(1)",
                "SELECT nosuchcolumn + \(2)",
                "SELECT \(3)",
                "SELECT nosuchcolumn + \(4)",
            ])
            for index in [0, 1, 3] {
                guard case .failure(let error) = results[index] else {
                    Issue.record("statement \(index + 1) should have failed")
                    continue
                }
                #expect(error.kind == .server)
            }
            #expect(try results[2].get().first!.decode(Int.self) == 3)
            #expect(self.connection.preparedStatementCount == before + 1)
            #expect(try self.connection.query("SELECT \(7)").first!.decode(Int.self) == 7)
        }

        @Test("without named statements, a pipeline prepares the unnamed statement each time")
        func unnamedStatements() throws {
            let connection = try TestEnvironment.connect { $0.preparedStatementCacheSize = 0 }
            let results = try connection.pipeline([
                "SELECT \(Int32(1)) + 1 AS n", "SELECT \(Int32(2)) + 1 AS n", "SELECT 1 / \(0)", "SELECT \(Int32(3)) + 1 AS n",
            ])
            #expect(try results[0].get().first!.decode(Int.self) == 2)
            #expect(try results[1].get().first!.decode(Int.self) == 3)
            if case .failure(let error) = results[2] { #expect(error.code == .divisionByZero) } else { Issue.record("expected division by zero") }
            #expect(try results[3].get().first!.decode(Int.self) == 4)
            #expect(connection.preparedStatementCount == 0)
        }

        @Test("inside a transaction, a failure aborts the statements after it")
        func insideTransaction() throws {
            let error = #expect(throws: PostgresTransactionError.self) {
                try self.connection.withTransaction { connection in
                    let results = try connection.pipeline([
                        "INSERT INTO notes VALUES (\(Int32(10)), \("x"))",
                        "INSERT INTO notes VALUES (\(Int32(10)), \("duplicate"))",
                        "SELECT 1",
                    ])
                    #expect(try results[0].get().affectedRows == 1)
                    if case .failure(let error) = results[1] { #expect(error.code == .uniqueViolation) }
                    if case .failure(let error) = results[2] { #expect(error.code == .inFailedSqlTransaction) }
                    _ = try results[1].get()
                }
            }
            #expect(error?.postgresError?.code == .uniqueViolation)
            #expect(try self.connection.query("SELECT count(*) FROM notes").first!.decode(Int.self) == 0)
        }

        @Test("with one sync the statements are one transaction: a failure undoes the writes before it and skips the rest")
        func oneSync() throws {
            let results = try self.connection.pipeline([
                "INSERT INTO notes VALUES (\(Int32(20)), \("undone"))",
                "SELECT 1 / \(0) AS boom",
                "INSERT INTO notes VALUES (\(Int32(21)), \("skipped"))",
                "SELECT \("skipped too")",
            ], sync: .once)
            #expect(results.count == 4)
            #expect(try results[0].get().affectedRows == 1)
            if case .failure(let error) = results[1] { #expect(error.code == .divisionByZero) } else { Issue.record("statement 2 should have failed") }
            for index in [2, 3] {
                guard case .failure(let error) = results[index] else {
                    Issue.record("statement \(index + 1) should have been skipped")
                    continue
                }
                #expect(error.kind == .unexpectedResult)
            }
            #expect(try self.connection.query("SELECT count(*) FROM notes").first!.decode(Int.self) == 0)
            #expect(!self.connection.isInTransaction)

            // Without a failure: one transaction id for all of them, where a sync after each
            // statement gives each its own.
            let xid: PostgresQuery = "SELECT pg_current_xact_id()::text AS xid"
            let shared = try self.connection.pipeline([xid, xid, "INSERT INTO notes VALUES (\(Int32(22)), \("kept"))"], sync: .once)
            #expect(try shared[0].get().first!.decode(String.self) == shared[1].get().first!.decode(String.self))
            let separate = try self.connection.pipeline([xid, xid], sync: .afterEach)
            #expect(try separate[0].get().first!.decode(String.self) != separate[1].get().first!.decode(String.self))
            #expect(try self.connection.query("SELECT body FROM notes").map { try $0.decode(String.self) } == ["kept"])
        }

        @Test("with one sync, a statement that cannot be prepared skips the rest, and the next pipeline prepares them afresh")
        func oneSyncPrepareFailure() throws {
            let before = self.connection.preparedStatementCount
            let queries: [PostgresQuery] = ["SELECT \(1) AS n, 'once 1'", "SELEC \(2)", "SELECT \(3) AS n, 'once 3'"]
            let first = try self.connection.pipeline(queries, sync: .once)
            #expect(try first[0].get().first!.decode(Int.self, column: "n") == 1)
            if case .failure(let error) = first[1] { #expect(error.code == .syntaxError) } else { Issue.record("expected a syntax error") }
            #expect(throws: PostgresError.self) { try first[2].get() }
            // The skipped statement's PREPARE was skipped with it: not cached as prepared.
            #expect(self.connection.preparedStatementCount == before + 1)
            let again = try self.connection.pipeline([queries[0], queries[2]], sync: .once)
            #expect(try again.map { try $0.get().first!.decode(Int.self, column: "n") } == [1, 3])
            #expect(self.connection.preparedStatementCount == before + 2)
        }

        @Test("a connection that breaks mid-pipeline is a connection failure, and stays broken")
        func connectionBreaks() throws {
            let connection = try TestEnvironment.connect()
            let error = #expect(throws: PostgresError.self) {
                try connection.pipeline(["SELECT \(1)", "SELECT pg_terminate_backend(pg_backend_pid())", "SELECT \(2)"])
            }
            #expect(error?.isConnectionFailure == true)
            #expect(connection.isBroken)
            #expect(throws: PostgresError.self) { try connection.pipeline(["SELECT \(3)"]) }
        }

        @Test("a large pipeline does not deadlock on full socket buffers")
        func large() throws {
            let padding = String(repeating: "x", count: 2_000)
            let queries: [PostgresQuery] = (1...2_000).map { "SELECT \($0) AS n, \(padding) AS pad" }
            let results = try self.connection.pipeline(queries)
            #expect(results.count == 2_000)
            #expect(try results.last!.get().first!.decode(Int.self, column: "n") == 2_000)
        }
    }
}
