import ArgumentParser
import FoundationEssentials
import Logging
import ParleyApp
import Postgres

/// `parley createuser --admin --username … --email … [--password-stdin]`: makes an account
/// (the first admin, typically) without a prompt, so it works from scripts and deploy hooks.
struct CreateUser: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "createuser",
        abstract: "Create a user account (for example the first admin).",
        discussion: """
            The password is read from standard input with --password-stdin (a trailing newline is \
            dropped), otherwise from PARLEY_ADMIN_PASSWORD. It is never printed or logged. Uses \
            DATABASE_URL, and the PARLEY_PASSWORD_HASH_* settings that `parley serve` uses.

            Example:
              printf '%s\\n' "$ADMIN_PASSWORD" | parley createuser --admin --username root --email root@example.com --password-stdin
            """
    )

    @Option(help: "Username (letters, digits and @/./+/-/_, at most 150).")
    var username: String

    @Option(help: "Email address.")
    var email: String

    @Option(help: "First name. (default: the username)")
    var firstName: String?

    @Option(help: "Last name.")
    var lastName: String = ""

    @Flag(help: "Make the account an admin (same as --role admin).")
    var admin = false

    @Option(help: "Role: guest, host or admin.")
    var role: String = "guest"

    @Flag(help: "Read the password from standard input instead of PARLEY_ADMIN_PASSWORD.")
    var passwordStdin = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = try common.bootstrapLogging()
        guard let role = admin ? .admin : Role(rawValue: role) else {
            throw ValidationError("--role must be guest, host or admin.")
        }
        let password = try readPassword()
        let database = PostgresDatabase(configuration: try PostgresConfiguration.fromEnvironment(), logger: logger)
        do {
            let account = try AccountAdministration.createUser(
                database: database, configuration: try AuthConfiguration.fromEnvironment(ProcessInfo.processInfo.environment),
                logger: logger, username: username, email: email, password: password,
                firstName: firstName ?? username, lastName: lastName, role: role)
            print("Created \(account.role.rawValue) \(account.username) (\(account.id.uuidString.lowercased())).")
        } catch let error as AccountError {
            for (field, messages) in (error.fieldErrors ?? [:]).sorted(by: { $0.key < $1.key }) {
                for message in messages { StandardStreams.writeError("\(field): \(message)\n") }
            }
            if error.fieldErrors == nil { StandardStreams.writeError("Error: \(error)\n") }
            throw ExitCode(1)
        }
    }

    private func readPassword() throws -> String {
        if passwordStdin {
            guard let text = PasswordInput.standardInput() else { throw ValidationError("--password-stdin: standard input held no password.") }
            return text
        }
        guard let password = ProcessInfo.processInfo.environment["PARLEY_ADMIN_PASSWORD"], !password.isEmpty else {
            throw ValidationError("No password: pass --password-stdin (and pipe it in) or set PARLEY_ADMIN_PASSWORD.")
        }
        return password
    }
}
