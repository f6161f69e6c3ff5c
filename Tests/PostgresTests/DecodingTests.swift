import ParleyTesting
import Foundation
import Testing

@testable import Postgres

enum Role: String, Codable, Sendable {
    case guest, host, admin
}

struct UserRecord: Decodable, Equatable {
    var id: UUID
    var displayName: String
    var role: Role
    var bio: String?
    var createdAt: Date
    var loginCount: Int
    var preferences: Preferences
    var tags: [String]
}

extension DatabaseTests {
    @Suite("Row decoding")
    struct DecodingTests {
        let connection: PostgresConnection

        init() throws {
            self.connection = try TestEnvironment.connect()
        }

        @Test("a Decodable struct reads columns by name, snake_case included")
        func decodableStruct() throws {
            let id = UUID()
            let created = Date(timeIntervalSince1970: 1_600_000_000.5)
            let preferences = Preferences(theme: "light", notify: true, tags: [])
            let rows = try self.connection.query("""
                SELECT \(id) AS id, 'admin' AS role, \("Ada")::varchar AS display_name, NULL::text AS bio,
                       \(created) AS created_at, 3::int4 AS "loginCount", \(PostgresJSON(preferences)) AS preferences,
                       ARRAY['x','y'] AS tags, 'ignored' AS extra
                """)
            let user = try rows.first!.decode(UserRecord.self)
            #expect(user == UserRecord(
                id: id, displayName: "Ada", role: .admin, bio: nil, createdAt: created, loginCount: 3,
                preferences: preferences, tags: ["x", "y"]))
            #expect(try rows.decode(UserRecord.self).count == 1)
        }

        @Test("tuples decode columns in order, optionals take NULL")
        func tuples() throws {
            let id = UUID()
            let row = try self.connection.query("SELECT \(id), \("name"), NULL::timestamptz").first!
            let (decodedID, name, seen) = try row.decode((UUID, String, Date?).self)
            #expect(decodedID == id)
            #expect(name == "name")
            #expect(seen == nil)
            #expect(try row.decode(String.self, column: "?column?") == id.uuidString.lowercased())
        }

        @Test("a single column decodes as a single value")
        func singleValue() throws {
            let rows = try self.connection.query("SELECT g FROM generate_series(1, 3) AS g")
            #expect(try rows.map { try $0.decode(Int.self) } == [1, 2, 3])
            #expect(try rows.decode(Int.self) == [1, 2, 3])
        }

        @Test("a column found by name: the exact name, the first of two alike, not a longer or shorter one")
        func columnByName() throws {
            let row = try self.connection.query(#"SELECT 1 AS a, 2 AS a, 3 AS ab, 4 AS "b", 5 AS "é""#).first!
            #expect(try row.decode(Int.self, column: "a") == 1)
            #expect(try row.decode(Int.self, column: "ab") == 3)
            #expect(try row.decode(Int.self, column: "b") == 4)
            #expect(try row.decode(Int.self, column: "é") == 5)
            #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "abc") }
            #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "") }
            #expect(try row.isNull(column: "ab") == false)
        }

        @Test("a type mismatch names the column, the Swift type and the PostgreSQL type")
        func mismatchMessage() throws {
            let row = try self.connection.query("SELECT 'abc'::text AS nickname").first!
            let error = #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "nickname") }
            #expect(error?.kind == .decoding)
            let text = error?.description ?? ""
            #expect(text.contains("\"nickname\""))
            #expect(text.contains("Int"))
            #expect(text.contains("text"))
            #expect(error?.decodingContext == .init(column: "nickname", columnIndex: 0, swiftType: "Int", postgresType: .text))
        }

        @Test("NULL into a non-optional, and a missing column, are clear errors")
        func nullAndMissing() throws {
            let row = try self.connection.query("SELECT NULL::int4 AS score, 1 AS other").first!
            let null = #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "score") }
            #expect(null?.description.contains("NULL") == true)
            #expect(null?.description.contains("\"score\"") == true)
            #expect(null?.description.contains("int4") == true)
            let missing = #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "Score") }
            #expect(missing?.description.contains("score, other") == true)
            let structError = #expect(throws: PostgresError.self) { try row.decode(UserRecord.self) }
            #expect(structError?.description.contains("id") == true)
        }

        @Test("a struct property of the wrong type is reported with its column")
        func structMismatch() throws {
            let row = try self.connection.query("""
                SELECT gen_random_uuid() AS id, 'x' AS display_name, 'admin' AS role, NULL AS bio, now() AS created_at,
                       'many'::text AS login_count, '{"theme":"a","notify":true,"tags":[]}'::jsonb AS preferences, '{}'::text[] AS tags
                """).first!
            let error = #expect(throws: PostgresError.self) { try row.decode(UserRecord.self) }
            #expect(error?.description.contains("\"login_count\"") == true)
            #expect(error?.description.contains("Int") == true)
            #expect(error?.description.contains("text") == true)
        }

        @Test("an integer that does not fit is a decoding error")
        func overflow() throws {
            let row = try self.connection.query("SELECT 3000000000::int8 AS big").first!
            let error = #expect(throws: PostgresError.self) { try row.decode(Int32.self, column: "big") }
            #expect(error?.description.contains("Int32") == true)
            #expect(error?.description.contains("int8") == true)
        }
    }
}
