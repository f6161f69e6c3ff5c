import ParleyTesting
import Foundation
import Testing

@testable import Postgres

extension DatabaseTests {
    @Suite("Migrations")
    struct MigratorTests {
        let connection: PostgresConnection
        let schema: String
        let directory: URL

        /// Each test migrates its own schema (first on the search path), so `schema_migrations`
        /// here is not the app's.
        init() throws {
            self.schema = TestEnvironment.uniqueName("migrations")
            self.connection = try TestEnvironment.connect()
            try self.connection.execute("CREATE SCHEMA \(identifier: self.schema)")
            try self.connection.execute("SET search_path TO \(identifier: self.schema)")
            self.directory = try MigrationLoadingTests.directory([
                "0001_create_users.sql": "CREATE TABLE users (id uuid PRIMARY KEY, email text UNIQUE NOT NULL);\n",
                "0002_add_name.sql": "ALTER TABLE users ADD COLUMN name text;\nCREATE INDEX users_name ON users (name);\n",
            ])
        }

        func cleanUp() {
            _ = try? self.connection.execute("DROP SCHEMA \(identifier: self.schema) CASCADE")
            try? FileManager.default.removeItem(at: self.directory)
        }

        func write(_ fileName: String, _ sql: String) throws {
            try sql.write(to: self.directory.appendingPathComponent(fileName), atomically: true, encoding: .utf8)
        }

        @Test("applies pending migrations in order, records them, and a second run is a no-op")
        func appliesOnce() throws {
            defer { self.cleanUp() }
            let migrator = Migrator(connection: self.connection, logger: TestEnvironment.logger)
            let migrations = try Migration.load(directory: self.directory)
            #expect(try migrator.status(migrations).map(\.state) == [.pending, .pending])

            let applied = try migrator.apply(migrations)
            #expect(applied.map(\.version) == [1, 2])
            try self.connection.execute("INSERT INTO users (id, email, name) VALUES (\(UUID()), \("a@example.com"), \("A"))")

            let recorded = try self.connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
            let rows = try recorded.decode((Int, String, String, Date).self)
            #expect(rows.map(\.0) == [1, 2])
            #expect(rows.map(\.1) == ["create_users", "add_name"])
            #expect(rows.map(\.2) == migrations.map(\.checksum))
            #expect(rows.allSatisfy { abs($0.3.timeIntervalSinceNow) < 60 })

            #expect(try migrator.apply(migrations).isEmpty)
            #expect(try migrator.status(migrations).map(\.state) == [.applied, .applied])

            try self.write("0003_add_bio.sql", "ALTER TABLE users ADD COLUMN bio text;")
            let more = try Migration.load(directory: self.directory)
            #expect(try migrator.status(more).map(\.state) == [.applied, .applied, .pending])
            #expect(try migrator.apply(more).map(\.fileName) == ["0003_add_bio.sql"])
        }

        @Test("an applied migration whose file changed stops the run, naming the file")
        func refusesChangedChecksum() throws {
            defer { self.cleanUp() }
            let migrator = Migrator(connection: self.connection, logger: TestEnvironment.logger)
            try migrator.apply(try Migration.load(directory: self.directory))
            try self.write("0001_create_users.sql", "CREATE TABLE users (id uuid PRIMARY KEY, email text);\n")
            try self.write("0003_more.sql", "CREATE TABLE more (id int);")
            let changed = try Migration.load(directory: self.directory)
            let error = #expect(throws: MigrationError.self) { try migrator.apply(changed) }
            #expect(error?.isChecksumMismatch == true)
            #expect(error?.fileName == "0001_create_users.sql")
            #expect(error?.description.contains("0001_create_users.sql") == true)
            // Nothing after it was applied.
            #expect(try self.connection.query("SELECT to_regclass('more') IS NULL").first!.decode(Bool.self))
            #expect(try migrator.status(changed).map(\.state) == [.changed, .applied, .pending])
        }

        @Test("a failing migration is rolled back and not recorded")
        func failingMigration() throws {
            defer { self.cleanUp() }
            try self.write("0003_broken.sql", "CREATE TABLE half (id int);\nSELECT * FROM does_not_exist;\n")
            let migrator = Migrator(connection: self.connection, logger: TestEnvironment.logger)
            let error = #expect(throws: MigrationError.self) { try migrator.apply(try Migration.load(directory: self.directory)) }
            #expect(error?.fileName == "0003_broken.sql")
            #expect(error?.description.contains("does_not_exist") == true)
            #expect(try self.connection.query("SELECT to_regclass('half') IS NULL").first!.decode(Bool.self))
            #expect(try self.connection.query("SELECT version FROM schema_migrations ORDER BY version").decode(Int.self) == [1, 2])
        }

        @Test("two instances migrating at once apply each migration exactly once")
        func concurrentInstances() throws {
            defer { self.cleanUp() }
            try self.write("0003_slow.sql", "SELECT pg_sleep(0.3); CREATE TABLE slow (id int);")
            let migrations = try Migration.load(directory: self.directory)
            let configuration = try TestEnvironment.configuration()
            let schema = self.schema
            let outcomes = Outcomes()
            for _ in 0..<2 {
                Thread {
                    do {
                        let connection = try PostgresConnection(configuration: configuration, logger: TestEnvironment.logger)
                        try connection.execute("SET search_path TO \(identifier: schema)")
                        let applied = try Migrator(connection: connection, logger: TestEnvironment.logger).apply(migrations)
                        outcomes.record(.success(applied.count))
                    } catch {
                        outcomes.record(.failure(error))
                    }
                }.start()
            }
            let counts = try outcomes.wait(for: 2, timeout: 30).map { try $0.get() }
            #expect(counts.count == 2)
            #expect(counts.reduce(0, +) == 3)
            #expect(try self.connection.query("SELECT count(*) FROM schema_migrations").first!.decode(Int.self) == 3)
        }
    }
}
