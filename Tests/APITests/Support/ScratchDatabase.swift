import Foundation
import ParleyTesting
import Postgres

/// A fresh database of the test cluster with the migrations applied, for tests whose data must
/// not meet the other tests' (exact totals, or 100,000 users that would change their pages);
/// dropped by `drop`.
struct ScratchDatabase {
    let name: String
    let url: String
    let database: PostgresDatabase

    init() throws {
        let base = try TestEnvironment.databaseURL
        let name = "parley_scratch_\(UInt32.random(in: 0...UInt32.max))"
        self.name = name
        let admin = PostgresDatabase(configuration: PostgresConfiguration(url: base), logger: .init(label: "test"))
        try admin.write { try $0.execute("CREATE DATABASE \(identifier: name)") }
        // The test URL names database parley: `postgresql://parley@/parley?host=…`.
        url = base.replacingOccurrences(of: "@/parley?", with: "@/\(name)?")
        precondition(url != base, "unexpected test database URL shape")
        let migrate = try UserImportCommandTests.parley(["migrate"], environment: ["DATABASE_URL": url])
        guard migrate.status == 0 else { throw TestEnvironmentError(message: "migrate failed: \(migrate.errors)") }
        database = PostgresDatabase(configuration: PostgresConfiguration(url: url), logger: .init(label: "test"))
    }

    func drop() throws {
        database.close()
        let admin = PostgresDatabase(configuration: PostgresConfiguration(url: try TestEnvironment.databaseURL), logger: .init(label: "test"))
        let name = self.name
        try admin.write { try $0.execute("DROP DATABASE \(identifier: name) WITH (FORCE)") }
    }
}
