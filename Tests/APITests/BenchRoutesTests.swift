import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Testing

/// The TechEmpower test types that `make bench` measures (`parley serve --bench`), on the tables
/// the bench harness creates (bench/sql/techempower.sql, loaded here with psql): the answers the
/// benchmark's rules require, so that a faster route is never a wrong one.
// Serialized: every test loads the tables with psql, and two loads at once race on
// CREATE TABLE IF NOT EXISTS and TRUNCATE (psql exits 3).
@Suite("Bench routes: the TechEmpower test types", .serialized, .enabled(if: TestEnvironment.runsIntegration))
struct BenchRoutesTests {
    func harness() throws -> APIHarness {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../bench/sql/techempower.sql").standardized.path
        let status = try TestEnvironment.shell("psql '\(try TestEnvironment.databaseURL)' -q -f '\(script)'")
        guard status == 0 else { throw TestEnvironmentError(message: "psql -f \(script) exited \(status)") }
        var configuration = AppConfiguration.testing()
        configuration.benchRoutes = true
        return try APIHarness(configuration: configuration)
    }

    static func isWorld(_ object: [String: Any]) -> Bool {
        guard let id = object["id"] as? Int, let number = object["randomNumber"] as? Int else { return false }
        return (1...10_000).contains(id) && (1...10_000).contains(number) && object.count == 2
    }

    @Test("/plaintext and /json")
    func constant() throws {
        let h = try harness()
        let plain = try h.request(.get, "/plaintext")
        #expect(plain.status == 200 && plain.text == "Hello, World!" && plain.header("Content-Type") == "text/plain")
        let json = try h.request(.get, "/json")
        #expect(json.status == 200 && json.text == #"{"message":"Hello, World!"}"#)
    }

    @Test("/db is one random world; /queries clamps its count to 1…500")
    func worlds() throws {
        let h = try harness()
        #expect(Self.isWorld(try h.request(.get, "/db").object))
        for (query, count) in [("3", 3), ("0", 1), ("abc", 1), ("", 1), ("501", 500), ("-9", 1), ("99999999999999999999", 1)] {
            let rows = try h.request(.get, "/queries?queries=\(query)").array
            #expect(rows.count == count, "queries=\(query)")
            #expect(rows.allSatisfy(Self.isWorld))
        }
    }

    @Test("/updates writes the random numbers it answers with")
    func updates() throws {
        let h = try harness()
        let rows = try h.request(.get, "/updates?queries=20").array
        #expect(rows.count == 20 && rows.allSatisfy(Self.isWorld))
        // A repeated id keeps the last number given to it, in the answer and in the table.
        var last: [Int: Int] = [:]
        for row in rows { last[row["id"] as! Int] = row["randomNumber"] as? Int }
        for (id, number) in last {
            #expect(try h.count("SELECT randomnumber::int8 FROM world WHERE id = \(Int32(id))") == number)
        }
    }

    @Test("/fortunes: the rows plus the one added at request time, sorted, escaped")
    func fortunes() throws {
        let h = try harness()
        let page = try h.request(.get, "/fortunes")
        #expect(page.status == 200 && page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.text.components(separatedBy: "<tr><td>").count - 1 == 13)
        #expect(page.text.contains("Additional fortune added at request time."))
        #expect(page.text.contains("&lt;script&gt;") && !page.text.contains("<script>"))
        let first = try #require(page.text.range(of: "fortune: No such file or directory"))
        let japanese = try #require(page.text.range(of: "フレームワークのベンチマーク"))
        #expect(first.lowerBound < japanese.lowerBound, "sorted by message, bytewise")
    }

    @Test("/fortunes: the ids in the order the TechEmpower verifier expects")
    func fortunesOrder() throws {
        let h = try harness()
        let page = try h.request(.get, "/fortunes")
        let ids = page.text.components(separatedBy: "<tr><td>").dropFirst().map { $0.prefix { $0 != "<" } }
        #expect(ids == ["11", "4", "5", "2", "8", "0", "3", "7", "10", "6", "9", "1", "12"])
    }
}
