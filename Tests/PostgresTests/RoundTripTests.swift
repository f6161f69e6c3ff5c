import ParleyTesting
import Foundation
import Testing

@testable import Postgres

struct Preferences: Codable, Equatable, Sendable {
    var theme: String
    var notify: Bool
    var tags: [String]
}

extension DatabaseTests {
    @Suite("Type round trips")
    struct RoundTripTests {
        let connection: PostgresConnection

        init() throws {
            self.connection = try TestEnvironment.connect()
        }

        /// Sends the value as a bind and decodes what the server sends back.
        func echo<T: PostgresEncodable & PostgresDecodable>(_ value: T) throws -> T {
            try self.connection.query("SELECT \(value) AS v").first!.decode(T.self, column: "v")
        }

        /// The server's own text rendering of a bind, to check it understood the binary value.
        func serverText<T: PostgresEncodable>(_ value: T) throws -> String {
            try self.connection.query("SELECT \(value)::text").first!.decode(String.self, at: 0)
        }

        @Test func booleans() throws {
            #expect(try self.echo(true) == true)
            #expect(try self.echo(false) == false)
        }

        @Test func integers() throws {
            for value in [Int.min, -1, 0, 1, Int.max] { #expect(try self.echo(value) == value) }
            for value in [Int64.min, Int64.max] { #expect(try self.echo(value) == value) }
            for value in [Int32.min, Int32.max] { #expect(try self.echo(value) == value) }
            for value in [Int16.min, Int16.max] { #expect(try self.echo(value) == value) }
            #expect(try self.serverText(Int64.min) == "-9223372036854775808")
            #expect(try self.serverText(Int.max) == "9223372036854775807")
            // Narrower columns read into wider Swift integers.
            let row = try self.connection.query("SELECT 7::int2 AS a, 8::int4 AS b").first!
            #expect(try row.decode(Int.self, column: "a") == 7)
            #expect(try row.decode(Int64.self, column: "b") == 8)
        }

        @Test func doubles() throws {
            for value in [0.0, -0.0, 1.5, -.pi, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, -.infinity] {
                let echoed = try self.echo(value)
                #expect(echoed == value && echoed.sign == value.sign)
            }
            #expect(try self.echo(Double.nan).isNaN)
            #expect(try self.serverText(Double.nan) == "NaN")
            #expect(try self.serverText(-Double.infinity) == "-Infinity")
            #expect(try self.echo(Float(3.25)) == 3.25)
            let row = try self.connection.query("SELECT 'NaN'::float8, 'Infinity'::float8, '-Infinity'::float4").first!
            let (nan, infinity, negative) = try row.decode((Double, Double, Double).self)
            #expect(nan.isNaN && infinity == .infinity && negative == -.infinity)
        }

        @Test func strings() throws {
            let samples = [
                "", "plain", "emoji 👩‍👩‍👧‍👦🇫🇷", "e\u{301} (combining)", "\u{e9} (precomposed)", "日本語テキスト",
                "quote ' and \" and \\ backslash", "tab\tnewline\ncr\r", String(repeating: "long ", count: 10_000),
            ]
            for sample in samples {
                // Compare bytes: Swift's == treats "e\u{301}" and "é" as equal, PostgreSQL must not change either.
                #expect(Array(try self.echo(sample).utf8) == Array(sample.utf8))
            }
            #expect(try self.connection.query("SELECT length(\("e\u{301}")), length(\("\u{e9}"))").first!.decode((Int, Int).self) == (2, 1))
        }

        @Test("numeric (sum, avg, round) reads as String, Int, Double and Decimal")
        func numerics() throws {
            let literals = [
                "0", "1", "-1", "12345.6789", "-0.0001", "0.00000001", "100000000000000000000", "9999.9999",
                "3.14159265358979323846264338327950288", "1.10", "-123456789012345678.5", "NaN", "Infinity", "-Infinity",
            ]
            for literal in literals {
                let row = try self.connection.query("SELECT \(unsafeRaw: "'\(literal)'")::numeric AS n, \(unsafeRaw: "'\(literal)'")::numeric::text AS t").first!
                #expect(try row.decode(String.self, column: "n") == row.decode(String.self, column: "t"))
            }
            let sums = try self.connection.query("SELECT sum(g::int8) AS total, avg(g) AS mean FROM generate_series(1, 100) AS g").first!
            #expect(try sums.decode(Int.self, column: "total") == 5050)
            #expect(try sums.decode(Double.self, column: "mean") == 50.5)
            #expect(try sums.decode(Decimal.self, column: "mean") == Decimal(string: "50.5"))
            let fraction = try self.connection.query("SELECT 2.5::numeric").first!
            #expect(throws: PostgresError.self) { try fraction.decode(Int.self) }
        }

        @Test func uuids() throws {
            let uuid = UUID()
            #expect(try self.echo(uuid) == uuid)
            #expect(try self.serverText(uuid) == uuid.uuidString.lowercased())
            let fixed = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!
            #expect(try self.echo(fixed) == fixed)
        }

        @Test func dates() throws {
            try self.connection.execute("SET TIME ZONE 'UTC'")
            let cases: [(Double, String)] = [
                (0, "1970-01-01 00:00:00+00"),
                (-14_182_940.123456, "1969-07-20 20:17:39.876544+00"),  // before 1970, with microseconds
                (-2_208_988_800, "1900-01-01 00:00:00+00"),
                (1_700_000_000.123456, "2023-11-14 22:13:20.123456+00"),
                (253_402_300_799, "9999-12-31 23:59:59+00"),  // far future
                (-62_135_596_800, "0001-01-01 00:00:00+00"),
            ]
            for (seconds, text) in cases {
                let date = Date(timeIntervalSince1970: seconds)
                #expect(try self.serverText(date) == text)
                let echoed = try self.echo(date)
                #expect(try PostgresTimestamp.microseconds(from: echoed) == PostgresTimestamp.microseconds(from: date))
                // Decoding the server's own literal gives the same instant.
                let parsed = try self.connection.query("SELECT \(unsafeRaw: "'\(text)'")::timestamptz").first!.decode(Date.self, at: 0)
                #expect(try PostgresTimestamp.microseconds(from: parsed) == PostgresTimestamp.microseconds(from: date))
            }
            // Microsecond precision: the server rounds nothing away.
            let precise = Date(timeIntervalSince1970: 1_700_000_000.000001)
            #expect(try self.serverText(precise) == "2023-11-14 22:13:20.000001+00")
            // A date column reads as midnight UTC; infinity as the distant dates.
            #expect(try self.connection.query("SELECT '1969-12-31'::date").first!.decode(Date.self, at: 0)
                == Date(timeIntervalSince1970: -86_400))
            #expect(try self.connection.query("SELECT 'infinity'::timestamptz").first!.decode(Date.self, at: 0) == .distantFuture)
        }

        @Test func bytea() throws {
            let all = Data((0...255).map { UInt8($0) })
            #expect(try self.echo(all) == all)
            #expect(try self.echo(Data()) == Data())
            #expect(try self.serverText(Data([0xde, 0xad, 0x00, 0xbe])) == "\\xdead00be")
        }

        @Test func json() throws {
            let preferences = Preferences(theme: "dark \"night\"", notify: true, tags: ["a", "ü"])
            #expect(try self.echo(PostgresJSON(preferences)) == PostgresJSON(preferences))
            let row = try self.connection.query("SELECT \(PostgresJSON(preferences))->>'theme' AS theme, jsonb_typeof(\(PostgresJSON(preferences))) AS kind").first!
            #expect(try row.decode(String.self, column: "theme") == "dark \"night\"")
            #expect(try row.decode(String.self, column: "kind") == "object")
            let json = try self.connection.query("SELECT '{\"theme\":\"x\",\"notify\":false,\"tags\":[]}'::json").first!
            #expect(try json.decode(PostgresJSON<Preferences>.self, at: 0).value == Preferences(theme: "x", notify: false, tags: []))
        }

        @Test("one-parameter statements (lent to libpq from locals): NULL, empty, and values")
        func singleParameter() throws {
            #expect(try self.connection.query("SELECT \(String?.none) IS NULL").first!.decode(Bool.self) == true)
            #expect(try self.connection.query("SELECT \("") = ''").first!.decode(Bool.self) == true)
            #expect(try self.connection.query("SELECT length(\(Data()))").first!.decode(Int32.self) == 0)
            #expect(try self.echo("x\u{7F}y") == "x\u{7F}y")
            #expect(try self.echo(Int32(-9)) == -9)
            // Then two parameters on the same connection: nothing left over from the one.
            #expect(try self.connection.query("SELECT \(Int32(4)) + \(Int32(5))").first!.decode(Int32.self) == 9)
        }

        @Test func arrays() throws {
            #expect(try self.echo([Int.min, 0, Int.max]) == [Int.min, 0, Int.max])
            #expect(try self.echo([Int32]()) == [])
            // Integer arrays are written in place: every width, signs, and what the server reads.
            #expect(try self.echo([Int32.min, -1, 0, 7, Int32.max]) == [Int32.min, -1, 0, 7, Int32.max])
            #expect(try self.echo([Int64.min, -2, Int64.max]) == [Int64.min, -2, Int64.max])
            #expect(try self.echo([Int16.min, 3, Int16.max]) == [Int16.min, 3, Int16.max])
            #expect(try self.echo([Int16]()) == [] && self.echo([Int]()) == [])
            #expect(try self.serverText([Int32(-5), 6]) == "{-5,6}")
            #expect(try self.serverText([Int(1) << 40, -3]) == "{1099511627776,-3}")
            let pairs = try self.connection.query(
                "SELECT id, r FROM unnest(\([Int32(3), 1, 2])::int4[], \([Int32(30), 10, -20])::int4[]) AS v(id, r) ORDER BY id"
            ).map { try $0.decode((Int32, Int32).self) }
            #expect(pairs.map(\.0) == [1, 2, 3] && pairs.map(\.1) == [10, -20, 30])
            let strings = ["a", "", "b,c", "{brace}", "quote\"", "back\\slash", "NULL", "emoji 👍"]
            #expect(try self.echo(strings) == strings)
            let uuids = [UUID(), UUID()]
            #expect(try self.echo(uuids) == uuids)
            #expect(try self.echo([true, false]) == [true, false])
            #expect(try self.echo([1.5, -.infinity]) == [1.5, -.infinity])
            let dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1)]
            #expect(try self.echo(dates) == dates)
            #expect(try self.connection.query("SELECT \(["x", "y"])::text").first!.decode(String.self, at: 0) == "{x,y}")
            // NULL elements need optional elements.
            let withNull = try self.connection.query("SELECT ARRAY[1, NULL, 3]::int4[]").first!
            #expect(try withNull.decode([Int?].self, at: 0) == [1, nil, 3])
            #expect(throws: PostgresError.self) { try withNull.decode([Int].self, at: 0) }
        }

        @Test func nulls() throws {
            #expect(try self.echo(Bool?.none) == nil)
            #expect(try self.echo(Int?.none) == nil)
            #expect(try self.echo(Int32?.none) == nil)
            #expect(try self.echo(Int64?.none) == nil)
            #expect(try self.echo(Double?.none) == nil)
            #expect(try self.echo(String?.none) == nil)
            #expect(try self.echo(UUID?.none) == nil)
            #expect(try self.echo(Date?.none) == nil)
            #expect(try self.echo(Data?.none) == nil)
            #expect(try self.echo([Int]?.none) == nil)
            #expect(try self.echo(PostgresJSON<Preferences>?.none) == nil)
            #expect(try self.echo(Optional("x")) == "x")
        }

        @Test("edge values survive a trip through a real table")
        func tableRoundTrip() throws {
            try self.connection.execute("""
                CREATE TEMP TABLE edge (
                    b bool, i8 int8, i4 int4, f8 float8, t text, u uuid, ts timestamptz, by bytea, j jsonb,
                    arr text[], n text)
                """)
            let uuid = UUID()
            let when = Date(timeIntervalSince1970: -1_000_000_000.25)
            let preferences = Preferences(theme: "t", notify: false, tags: ["x"])
            try self.connection.execute("""
                INSERT INTO edge VALUES (\(true), \(Int64.min), \(Int32.max), \(Double.infinity), \("👩‍💻 e\u{301}"),
                    \(uuid), \(when), \(Data([0, 1, 255])), \(PostgresJSON(preferences)), \(["a", "b"]), \(String?.none))
                """)
            let row = try self.connection.query("SELECT * FROM edge").first!
            let values = try row.decode((Bool, Int64, Int32, Double, String, UUID, Date, Data, PostgresJSON<Preferences>, [String], String?).self)
            #expect(values.0 == true)
            #expect(values.1 == Int64.min)
            #expect(values.2 == Int32.max)
            #expect(values.3 == .infinity)
            #expect(Array(values.4.utf8) == Array("👩‍💻 e\u{301}".utf8))
            #expect(values.5 == uuid)
            #expect(values.6 == when)
            #expect(values.7 == Data([0, 1, 255]))
            #expect(values.8.value == preferences)
            #expect(values.9 == ["a", "b"])
            #expect(values.10 == nil)
        }
    }
}
