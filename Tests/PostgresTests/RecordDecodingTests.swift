import Foundation
import ParleyTesting
import Testing

@testable import Postgres

/// A row value as a test type reads it with ``PostgresRecordReader``: `ROW(id, name, note)`.
private struct Entry: PostgresDecodable, Equatable {
    var id: UUID
    var name: String
    var note: String?

    init(id: UUID, name: String, note: String?) {
        self.id = id
        self.name = name
        self.note = note
    }

    init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        var fields = try PostgresRecordReader(bytes, type: type)
        guard fields.count == 3 else { throw PostgresDecodingFailure("3 fields expected, got \(fields.count)") }
        self.init(id: try fields.next(UUID.self), name: try fields.next(String.self), note: try fields.next(String?.self))
    }
}

extension DatabaseTests {
    @Suite("Record decoding")
    struct RecordDecodingTests {
        let connection: PostgresConnection

        init() throws {
            self.connection = try TestEnvironment.connect()
        }

        @Test("a ROW and an ordered array_agg of ROWs decode field by field, NULL into an optional")
        func rowsAndArrays() throws {
            let (a, b) = (UUID(), UUID())
            let row = try connection.query("""
                SELECT (\(a), 'ädä ✓'::text, NULL::text) AS one,
                       (SELECT array_agg((id, name, note) ORDER BY name)
                          FROM (VALUES (\(b), 'zed', 'z'), (\(a), 'amy', NULL)) AS v(id, name, note)) AS many,
                       '{}'::record[] AS none
                """)[0]
            #expect(try row.decode(Entry.self, at: 0) == Entry(id: a, name: "ädä ✓", note: nil))
            #expect(try row.decode([Entry].self, at: 1) == [Entry(id: a, name: "amy", note: nil), Entry(id: b, name: "zed", note: "z")])
            #expect(try row.decode([Entry].self, at: 2) == [])
        }

        @Test("a record of other fields, a NULL where none is allowed, or a scalar column are decoding errors")
        func mismatches() throws {
            let row = try connection.query("""
                SELECT (1, 'x'::text, NULL::text) AS wrong_type, (gen_random_uuid(), NULL::text, NULL::text) AS null_name,
                       (gen_random_uuid(), 'x'::text) AS short, 'x'::text AS scalar
                """)[0]
            for column in ["wrong_type", "null_name", "short", "scalar"] {
                let error = #expect(throws: PostgresError.self, "\(column)") { try row.decode(Entry.self, column: column) }
                #expect(error?.kind == .decoding, "\(column)")
            }
        }
    }
}
