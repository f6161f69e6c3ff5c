import FoundationEssentials
import Logging

/// Applies numbered SQL migrations and records them in `schema_migrations` (version, name,
/// checksum, applied_at).
///
/// Each migration runs in its own transaction together with its record, under
/// `pg_advisory_xact_lock`, so two instances migrating at once apply each file exactly once.
/// A migration file must not contain its own BEGIN/COMMIT, nor statements that cannot run in
/// a transaction (`CREATE INDEX CONCURRENTLY`).
public struct Migrator {
    public let connection: PostgresConnection
    public let logger: Logger

    /// The migrations' advisory lock key. It must never change (its bytes spell "parley" in ASCII,
    /// where the module began): instances of an old and a new build must exclude each other.
    static let lockKey: Int64 = 0x70_61_72_6c_65_79
    static let table = "schema_migrations"

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Applies the migrations not yet recorded, in version order, and returns them. Running it
    /// again is a no-op. Stops, before applying anything, if an applied migration's file changed.
    @discardableResult
    public func apply(_ migrations: [Migration]) throws -> [Migration] {
        let migrations = try Self.sorted(migrations)
        try self.ensureTable()
        let recorded = try self.records()
        try Self.verify(migrations, against: recorded)

        var applied: [Migration] = []
        for migration in migrations where recorded[migration.version] == nil {
            let start = ContinuousClock.now
            let didApply: Bool
            do {
                didApply = try self.connection.withTransaction(maxAttempts: 1) { connection in
                    try connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
                    let existing = try connection.query(
                        "SELECT checksum FROM \(identifier: Self.table) WHERE version = \(Int64(migration.version))")
                    if let row = existing.first {
                        // Another instance applied it while we waited for the lock.
                        let checksum = try row.decode(String.self, at: 0)
                        guard checksum == migration.checksum else {
                            throw MigrationError.checksumMismatch(migration.fileName, recorded: checksum, current: migration.checksum)
                        }
                        return false
                    }
                    try connection.executeScript(PostgresQuery(unsafeSQL: migration.sql))
                    try connection.execute(
                        """
                        INSERT INTO \(identifier: Self.table) (version, name, checksum)
                        VALUES (\(Int64(migration.version)), \(migration.name), \(migration.checksum))
                        """)
                    return true
                }
            } catch let error as PostgresTransactionError {
                if let mismatch = error.closureError as? MigrationError { throw mismatch }
                throw MigrationError.failed(migration.fileName, error)
            }
            if didApply {
                applied.append(migration)
                self.logger.info(
                    "applied migration",
                    metadata: ["migration": "\(migration.fileName)", "duration_ms": "\(PostgresConnection.format(start.duration(to: .now)))"])
            }
        }
        if applied.isEmpty {
            self.logger.info("database schema is up to date", metadata: ["migrations": "\(migrations.count)"])
        }
        return applied
    }

    /// Every known migration with its state, plus versions recorded without a file.
    public func status(_ migrations: [Migration]) throws -> [MigrationStatus] {
        let migrations = try Self.sorted(migrations)
        let recorded = try self.tableExists() ? try self.records() : [:]
        var statuses = migrations.map { migration -> MigrationStatus in
            guard let record = recorded[migration.version] else {
                return MigrationStatus(version: migration.version, name: migration.name, state: .pending, appliedAt: nil)
            }
            return MigrationStatus(
                version: migration.version, name: migration.name,
                state: record.checksum == migration.checksum ? .applied : .changed, appliedAt: record.appliedAt)
        }
        let known = Set(migrations.map(\.version))
        for (version, record) in recorded where !known.contains(version) {
            statuses.append(MigrationStatus(version: version, name: record.name, state: .missingFile, appliedAt: record.appliedAt))
        }
        return statuses.sorted { $0.version < $1.version }
    }

    // MARK: - Internals

    private struct Record {
        var name: String
        var checksum: String
        var appliedAt: Date
    }

    private static func sorted(_ migrations: [Migration]) throws -> [Migration] {
        var seen: [Int: String] = [:]
        for migration in migrations {
            if let other = seen[migration.version] {
                throw MigrationError.duplicateVersion(migration.version, files: [other, migration.fileName])
            }
            seen[migration.version] = migration.fileName
        }
        return migrations.sorted { $0.version < $1.version }
    }

    private static func verify(_ migrations: [Migration], against recorded: [Int: Record]) throws {
        for migration in migrations {
            if let record = recorded[migration.version], record.checksum != migration.checksum {
                throw MigrationError.checksumMismatch(migration.fileName, recorded: record.checksum, current: migration.checksum)
            }
        }
    }

    private func ensureTable() throws {
        try self.connection.withTransaction(maxAttempts: 1) { connection in
            try connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            try connection.executeScript(
                """
                CREATE TABLE IF NOT EXISTS \(identifier: Self.table) (
                    version bigint PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
        }
    }

    private func tableExists() throws -> Bool {
        try self.connection.query("SELECT to_regclass(\(Self.table)) IS NOT NULL").first?.decode(Bool.self, at: 0) ?? false
    }

    private func records() throws -> [Int: Record] {
        let rows = try self.connection.query(
            "SELECT version, name, checksum, applied_at FROM \(identifier: Self.table) ORDER BY version")
        var records: [Int: Record] = [:]
        for row in rows {
            let (version, name, checksum, appliedAt) = try row.decode((Int, String, String, Date).self)
            records[version] = Record(name: name, checksum: checksum, appliedAt: appliedAt)
        }
        return records
    }
}
