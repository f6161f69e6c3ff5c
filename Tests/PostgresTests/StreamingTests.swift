import ParleyTesting
import Foundation
import Testing

@testable import Postgres

extension DatabaseTests {
    @Suite("Streaming and COPY")
    struct StreamingTests {
        let connection: PostgresConnection

        init() throws {
            self.connection = try TestEnvironment.connect()
        }

        @Test("200,000 rows arrive one by one through the callback")
        func streams200k() throws {
            var count = 0
            var sum = 0
            var last = 0
            let delivered = try self.connection.forEachRow("SELECT g AS n, md5(g::text) AS h FROM generate_series(1, \(200_000)) AS g") { row in
                let n = try row.decode(Int.self, column: "n")
                #expect(n == last + 1)
                last = n
                sum += n
                count += 1
            }
            #expect(delivered == 200_000)
            #expect(count == 200_000)
            #expect(sum == 200_000 * 200_001 / 2)
        }

        @Test("a throwing callback cancels the query and leaves the connection usable")
        func callbackThrows() throws {
            var seen = 0
            #expect(throws: Boom.self) {
                try self.connection.forEachRow("SELECT g FROM generate_series(1, 10000000) AS g") { _ in
                    seen += 1
                    if seen == 10 { throw Boom() }
                }
            }
            #expect(seen == 10)
            #expect(try self.connection.query("SELECT 1").first!.decode(Int.self) == 1)
        }

        @Test("a server error while streaming is thrown")
        func serverError() throws {
            let error = #expect(throws: PostgresError.self) {
                try self.connection.forEachRow("SELECT 1 / (g - 5) FROM generate_series(1, 10) AS g") { _ in }
            }
            #expect(error?.code == .divisionByZero)
            #expect(try self.connection.query("SELECT 1").count == 1)
        }

        @Test("COPY FROM STDIN loads 100,000 rows, escaping text format")
        func copy100k() throws {
            try self.connection.execute("""
                CREATE TEMP TABLE imported (id int8, name text, note text, at timestamptz, data bytea, flag bool, tags text[])
                """)
            let tricky = ["tab\there", "new\nline", "back\\slash", "\\N", "cr\rhere", "emoji 👩‍👩‍👧", "quote \"'", ""]
            let base = Date(timeIntervalSince1970: -86_400.5)
            let loaded = try self.connection.copyFrom(
                table: "imported", columns: ["id", "name", "note", "at", "data", "flag", "tags"]
            ) { writer in
                for index in 0..<100_000 {
                    let note: String? = index % 3 == 0 ? nil : tricky[index % tricky.count]
                    try writer.appendRow(
                        index, "user \(index)", note, base.addingTimeInterval(Double(index)),
                        Data([UInt8(index % 256), 0, 92]), index % 2 == 0, [tricky[index % tricky.count], "x"])
                }
                #expect(writer.rowCount == 100_000)
            }
            #expect(loaded == 100_000)
            #expect(try self.connection.query("SELECT count(*) FROM imported").first!.decode(Int.self) == 100_000)
            #expect(try self.connection.query("SELECT count(*) FROM imported WHERE note IS NULL").first!.decode(Int.self) == 33_334)
            for index in [1, 2, 4, 5, 7, 8, 10, 11, 99_999] {
                let row = try self.connection.query("SELECT * FROM imported WHERE id = \(index)").first!
                let (id, name, note, at, data, flag, tags) = try row.decode((Int, String, String?, Date, Data, Bool, [String]).self)
                #expect(id == index)
                #expect(name == "user \(index)")
                #expect(note.map { Array($0.utf8) } == (index % 3 == 0 ? nil : Array(tricky[index % tricky.count].utf8)))
                #expect(at == base.addingTimeInterval(Double(index)))
                #expect(data == Data([UInt8(index % 256), 0, 92]))
                #expect(flag == (index % 2 == 0))
                #expect(tags == [tricky[index % tricky.count], "x"])
            }
        }

        @Test("a failing COPY loads nothing and reports the error; NUL is refused")
        func copyFailures() throws {
            try self.connection.execute("CREATE TEMP TABLE strict (id int PRIMARY KEY, name text NOT NULL)")
            let duplicate = #expect(throws: PostgresError.self) {
                try self.connection.copyFrom(table: "strict", columns: ["id", "name"]) { writer in
                    try writer.appendRow(Int32(1), "a")
                    try writer.appendRow(Int32(1), "b")
                }
            }
            #expect(duplicate?.code == .uniqueViolation)
            let nul = #expect(throws: PostgresError.self) {
                try self.connection.copyFrom(table: "strict", columns: ["id", "name"]) { writer in
                    try writer.appendRow(Int32(2), "ok")
                    try writer.appendRow(Int32(3), "bad\u{0}text")
                }
            }
            #expect(nul?.kind == .encoding)
            #expect(nul?.description.contains("NUL") == true)
            #expect(nul?.description.contains("row 2, column 2") == true)
            #expect(throws: PostgresError.self) {
                try self.connection.copyFrom(table: "strict", columns: ["id", "name"]) { writer in
                    try writer.appendRow([Int32(4)])
                }
            }
            #expect(try self.connection.query("SELECT count(*) FROM strict").first!.decode(Int.self) == 0)
            // The dynamic form.
            try self.connection.copyFrom(table: "strict", columns: ["id", "name"]) { writer in
                try writer.appendRow([Int32(5), "five"] as [any PostgresEncodable])
            }
            #expect(try self.connection.query("SELECT name FROM strict").first!.decode(String.self) == "five")
        }
    }
}
