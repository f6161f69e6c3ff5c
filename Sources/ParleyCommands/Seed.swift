import ArgumentParser
import FoundationEssentials
import Logging
import ParleyApp
import Postgres

/// `parley seed`: demo users (alice, bob, carol and an admin) with a known password, and a
/// few conversations with replies and an edit. Safe to run again: nothing is duplicated and
/// existing accounts keep their passwords.
struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create demo users and conversations (for development; idempotent).",
        discussion: """
            Prints the demo log-ins. The accounts get a published password, so never run this \
            against a production database. Uses DATABASE_URL and the PARLEY_PASSWORD_HASH_* \
            settings that `parley serve` uses.

            Example:
              DATABASE_URL=postgresql://parley@/parley?host=/tmp parley seed
            """
    )

    @Option(help: "Password of the demo accounts it creates. [env: PARLEY_SEED_PASSWORD] (default: \(DemoSeed.defaultPassword))")
    var password: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = try common.bootstrapLogging()
        let password = Environment.string(password, "PARLEY_SEED_PASSWORD") ?? DemoSeed.defaultPassword
        let database = PostgresDatabase(configuration: try PostgresConfiguration.fromEnvironment(), logger: logger)
        do {
            let report = try DemoSeed.run(database: database, configuration: try AppConfiguration.fromEnvironment(), password: password, logger: logger)
            print(report.text)
        } catch let error as AccountError {
            for (field, messages) in (error.fieldErrors ?? [:]).sorted(by: { $0.key < $1.key }) {
                for message in messages { StandardStreams.writeError("\(field): \(message)\n") }
            }
            if error.fieldErrors == nil { StandardStreams.writeError("Error: \(error)\n") }
            throw ExitCode(1)
        }
    }
}
