import ParleyTesting
import Foundation
import Testing

@testable import Postgres

@Suite("Migration files")
struct MigrationLoadingTests {
    static func directory(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("migrations"))
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, contents) in files {
            try contents.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return url
    }

    @Test("loads numbered files in version order, ignoring other files")
    func loadsSorted() throws {
        let url = try Self.directory([
            "0010_add_index.sql": "CREATE INDEX i ON t (a);",
            "0002_create_t.sql": "CREATE TABLE t (a int);",
            "README.md": "not a migration",
            "1_first.sql": "SELECT 1;",
        ])
        defer { try? FileManager.default.removeItem(at: url) }
        let migrations = try Migration.load(directory: url)
        #expect(migrations.map(\.version) == [1, 2, 10])
        #expect(migrations.map(\.name) == ["first", "create_t", "add_index"])
        #expect(migrations[1].fileName == "0002_create_t.sql")
        #expect(migrations[1].checksum == SHA256.hex(Array("CREATE TABLE t (a int);".utf8)))
        #expect(migrations[1].checksum.count == 64)
    }

    @Test("a badly named .sql file is an error naming it", arguments: ["create_users.sql", "01-x.sql", "0003_.sql", "abc_def.sql", "0004_bad name.sql"])
    func badName(fileName: String) throws {
        let url = try Self.directory([fileName: "SELECT 1;"])
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: MigrationError.self) { try Migration.load(directory: url) }
        #expect(error?.description.contains(fileName) == true)
    }

    @Test("two files with one version is an error naming both")
    func duplicateVersion() throws {
        let url = try Self.directory(["0001_a.sql": "SELECT 1;", "001_b.sql": "SELECT 2;"])
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: MigrationError.self) { try Migration.load(directory: url) }
        #expect(error?.description.contains("0001_a.sql") == true)
        #expect(error?.description.contains("001_b.sql") == true)
    }

    @Test("a missing directory is a clear error")
    func missingDirectory() {
        let url = URL(fileURLWithPath: "/nonexistent/\(UUID().uuidString)")
        let error = #expect(throws: MigrationError.self) { try Migration.load(directory: url) }
        #expect(error?.description.contains(url.path) == true)
    }
}
