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
