import ArgumentParser
import FoundationEssentials
import Logging
import ParleyApp
import Postgres

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations, each in its own transaction.",
        discussion: """
            Uses DATABASE_URL. Running it again when nothing is pending changes nothing.

            Example:
              parley migrate --status
              parley migrate
            """
    )

    @Flag(help: "List applied and pending migrations instead of applying them.")
    var status = false

    @Option(help: "Directory of numbered .sql files. [env: PARLEY_MIGRATIONS_DIR] (default: the ones shipped with parley)")
    var migrationsDir: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = try common.bootstrapLogging()
        let migrations = try ParleyMigrations.load(directory: migrationsDir)
        let connection = try PostgresConnection(configuration: try PostgresConfiguration.fromEnvironment(), logger: logger)
        let migrator = Migrator(connection: connection, logger: logger)
        if status {
            for entry in try migrator.status(migrations) {
                print(entry)
            }
            return
        }
        let applied = try migrator.apply(migrations)
        if applied.isEmpty {
            print("No migrations to apply (\(migrations.count) already applied).")
        } else {
            for migration in applied { print("Applied \(migration.version) \(migration.name)") }
        }
    }
}
