import Foundation
import Testing

@testable import Postgres

@Suite("Query interpolation")
struct PostgresQueryTests {
    @Test("every interpolated value becomes a numbered bind, with its type and bytes")
    func interpolationBecomesBinds() throws {
        let id = 42
        let name = "bob"
        let query: PostgresQuery = "SELECT * FROM users WHERE id = \(id) AND name = \(name) AND active = \(true)"
        #expect(query.sql == "SELECT * FROM users WHERE id = $1 AND name = $2 AND active = $3")
        #expect(Array(query.binds) == [
            PostgresBind(type: .int8, bytes: [0, 0, 0, 0, 0, 0, 0, 42]),
            PostgresBind(type: .text, bytes: Array("bob".utf8)),
            PostgresBind(type: .bool, bytes: [1]),
        ])
    }

    @Test("nil becomes a typed NULL bind")
    func optionalNil() throws {
        let missing: String? = nil
        let present: Int32? = 7
        let query: PostgresQuery = "UPDATE t SET a = \(missing), b = \(present)"
        #expect(query.sql == "UPDATE t SET a = $1, b = $2")
        #expect(Array(query.binds) == [.null(.text), PostgresBind(type: .int4, bytes: [0, 0, 0, 7])])
    }

    @Test("a literal without interpolation has no binds")
    func plainLiteral() {
        let query: PostgresQuery = "SELECT 1"
        #expect(query.sql == "SELECT 1")
        #expect(query.binds.isEmpty)
    }

    @Test(
        "injection attempts stay in the bind, never in the SQL",
        arguments: [
            "'; DROP TABLE users; --",
            "Robert'); DROP TABLE students;--",
            "$1",
            "\" OR \"1\"=\"1",
            "1 OR 1=1",
            "\\'",
        ])
    func injectionStaysData(attack: String) throws {
        let query: PostgresQuery = "SELECT * FROM users WHERE email = \(attack)"
        #expect(query.sql == "SELECT * FROM users WHERE email = $1")
        #expect(Array(query.binds) == [PostgresBind(type: .text, bytes: Array(attack.utf8))])
    }

    @Test("unsafeRaw splices text verbatim; identifier quotes")
    func rawAndIdentifier() throws {
        let column = "created_at"
        let table = "we\"ird table"
        let limit = 10
        let query: PostgresQuery = "SELECT * FROM \(identifier: table) ORDER BY \(unsafeRaw: column) DESC LIMIT \(limit)"
        #expect(query.sql == "SELECT * FROM \"we\"\"ird table\" ORDER BY created_at DESC LIMIT $1")
        #expect(Array(query.binds) == [try PostgresBind(limit)])
    }

    @Test("the SQL bytes are the text with one terminating NUL, however the query was built")
    func terminatedBytes() throws {
        let table = "t"
        let built: PostgresQuery = "\(1)\(identifier: table)\(unsafeRaw: "")x\(2)"
        #expect(built.sql == "$1\"t\"x$2")
        #expect(built.sqlBytes == Array("$1\"t\"x$2".utf8) + [0])
        let empty: PostgresQuery = ""
        #expect(empty.sqlBytes == [0])
        let interpolatedOnly: PostgresQuery = "\(unsafeRaw: "SELECT 1")"
        #expect(interpolatedOnly.sqlBytes == Array("SELECT 1".utf8) + [0])
        let values = Array(1...12)
        let many: PostgresQuery = """
            VALUES (\(values[0]), \(values[1]), \(values[2]), \(values[3]), \(values[4]), \(values[5]), \
            \(values[6]), \(values[7]), \(values[8]), \(values[9]), \(values[10]), \(values[11]))
            """
        #expect(many.sql == "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        #expect(many.sqlBytes.last == 0 && many.sqlBytes.dropLast().allSatisfy { $0 != 0 })
        #expect(many.binds.count == 12)
        try many.validate()
    }

    @Test("an interpolated query keeps text and binds in one buffer; neither sees the other's bytes")
    func sharedBuffer() throws {
        let blob = Data(repeating: 0xAB, count: 300)
        let name = "x\u{0}y"  // NUL in a value: refused, and the SQL text stays clean
        let query: PostgresQuery = "SELECT \(Int32(7)), \(blob) FROM \(identifier: "t") WHERE a = \(Optional<Int32>.none) AND b = \(name)"
        #expect(query.sql == "SELECT $1, $2 FROM \"t\" WHERE a = $3 AND b = $4")
        #expect(query.sqlBytes == Array(query.sql.utf8) + [0])
        #expect(Array(query.binds) == [
            PostgresBind(type: .int4, bytes: [0, 0, 0, 7]), PostgresBind(type: .bytea, bytes: Array(blob)), .null(.int4),
            PostgresBind(type: .text, bytes: []),  // a value that failed to encode keeps no bytes
        ])
        #expect(throws: PostgresError.self) { try query.validate() }
        // Equal to the same query built in two pieces; hashes agree.
        var binds = PostgresBindings()
        binds.append(Int32(7))
        binds.append(blob)
        binds.appendNull(.int4)
        binds.append(name)
        let separate = PostgresQuery(unsafeSQL: query.sql, binds: binds)
        #expect(separate == query)
        #expect(separate.hashValue == query.hashValue)
        #expect(Set([query, separate]).count == 1)
        // Appending to a copy's binds touches neither the original's text nor its binds.
        var extended = query
        extended.binds.append(Int32(8))
        #expect(extended.sql == query.sql)
        #expect(query.binds.count == 4 && extended.binds.count == 5)
        #expect(Array(extended.binds).last == PostgresBind(type: .int4, bytes: [0, 0, 0, 8]))
        #expect(extended != query)
        // Other text, same binds; same text, other binds: not equal.
        let other: PostgresQuery = "SELECT \(Int32(7))"
        let otherValue: PostgresQuery = "SELECT \(Int32(8))"
        #expect(other != otherValue && other.sql == otherValue.sql)
        #expect(!other.hasSameStatement(as: query) && other.hasSameStatement(as: otherValue))
    }

    @Test("int4 array binds encode in array_send format")
    func int4ArrayBytes() throws {
        let query: PostgresQuery = "SELECT \([Int32(1), -2])::int4[], \([Int32]())::int4[]"
        #expect(query.sql == "SELECT $1::int4[], $2::int4[]")
        let be = { (v: Int32) in withUnsafeBytes(of: v.bigEndian) { Array($0) } }
        let expected: [UInt8] = be(1) + be(0) + be(23) + be(2) + be(1) + be(4) + be(1) + be(4) + be(-2)
        #expect(Array(query.binds) == [
            PostgresBind(type: .int4Array, bytes: expected), PostgresBind(type: .int4Array, bytes: be(0) + be(0) + be(23)),
        ])
    }

    @Test("descriptions show SQL and bind types, never values")
    func descriptionsHideValues() {
        let secret = "hunter2-secret"
        let query: PostgresQuery = "SELECT \(secret), \(12345 as Int)"
        #expect(!query.description.contains(secret))
        #expect(!query.debugDescription.contains(secret))
        #expect(query.description.contains("text"))
        #expect(query.description.contains("SELECT $1, $2"))
    }

    @Test("text containing NUL is refused before it is sent, without repeating it")
    func nulInTextRejected() throws {
        let bad = "abc\u{0}secret"
        let query: PostgresQuery = "SELECT \(bad)"
        let error = #expect(throws: PostgresError.self) { try query.validate() }
        #expect(error?.kind == .encoding)
        #expect(error?.description.contains("NUL") == true)
        #expect(error?.description.contains("secret") == false)
    }

    @Test("NUL in the SQL text itself is refused")
    func nulInSQLRejected() {
        let query: PostgresQuery = "SELECT 1 \(unsafeRaw: "\u{0}")"
        let error = #expect(throws: PostgresError.self) { try query.validate() }
        #expect(error?.kind == .invalidQuery)
    }

    @Test("arrays and dates encode in binary wire format")
    func arrayAndDateEncoding() throws {
        let query: PostgresQuery = "SELECT \([1, 2] as [Int32]), \(Date(timeIntervalSince1970: 946_684_800))"
        #expect(Array(query.binds) == [
            PostgresBind(type: .int4Array, bytes: [
                0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23,  // 1 dimension, no NULLs, int4 elements
                0, 0, 0, 2, 0, 0, 0, 1,  // 2 elements, lower bound 1
                0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 2,
            ]),
            PostgresBind(type: .timestamptz, bytes: [0, 0, 0, 0, 0, 0, 0, 0]),  // 2000-01-01 is PostgreSQL's epoch
        ])
    }
}

@Suite("SQLBuilder")
struct SQLBuilderTests {
    @Test("fragments and binds make the query the literal makes")
    func sameAsLiteral() throws {
        let conversation = UUID()
        let sender: String? = nil
        var sql = SQLBuilder("SELECT * FROM messages WHERE conversation_id = ")
        sql.bind(conversation)
        sql.append(" AND sender = ")
        sql.bind(sender)
        sql.append(" ORDER BY sent_at LIMIT ")
        for _ in 0..<9 { sql.bind(1); sql.append(", ") }
        sql.bind(10)
        let literal: PostgresQuery = """
            SELECT * FROM messages WHERE conversation_id = \(conversation) AND sender = \(sender) ORDER BY sent_at LIMIT \
            \(1), \(1), \(1), \(1), \(1), \(1), \(1), \(1), \(1), \(10)
            """
        #expect(sql.query.sql == literal.sql)
        #expect(sql.query.sql.hasSuffix("$11, $12"))
        #expect(sql.query == literal)
        #expect(Array(sql.query.binds) == Array(literal.binds))
    }

    @Test("a value stays a bind whatever it holds")
    func injectionStaysData() throws {
        var sql = SQLBuilder("SELECT 1 WHERE name = ")
        sql.bind("'; DROP TABLE users; --")
        #expect(sql.query.sql == "SELECT 1 WHERE name = $1")
        #expect(Array(sql.query.binds) == [PostgresBind(type: .text, bytes: Array("'; DROP TABLE users; --".utf8))])
    }

    @Test("a one-character fragment")
    func shortFragment() {
        var sql = SQLBuilder("(")
        sql.append(")")
        #expect(sql.query.sql == "()")
    }
}
