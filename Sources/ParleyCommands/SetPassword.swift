import ArgumentParser
import FoundationEssentials
import Glibc
import Logging
import ParleyApp
import Postgres

/// `parley set-password USER`: Django's `changepassword`. The password comes from the terminal
/// (typed twice, not echoed) or from standard input when that is not a terminal; never from
/// the command line, where other users could read it in the process list.
struct SetPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-password",
        abstract: "Set a user's password (checked like a sign-up's); ends their sessions and API log-ins.",
        discussion: """
            On a terminal the password is asked for twice and not echoed. Otherwise it is read \
            from standard input (one trailing newline is dropped). It is never printed or logged. \
            Uses DATABASE_URL and the PARLEY_PASSWORD_* settings that `parley serve` uses.

            Example:
              parley set-password ada        # asks twice on a terminal
              printf '%s\\n' "$NEW" | parley set-password ada
            """
    )

    @Argument(help: "The username.")
    var username: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = try common.bootstrapLogging()
        let configuration = try AuthConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        let password = try isatty(STDIN_FILENO) == 1 ? Self.promptTwice() : Self.readStandardInput()
        let database = PostgresDatabase(configuration: try PostgresConfiguration.fromEnvironment(), logger: logger)
        do {
            let account = try AccountAdministration.setPassword(
                database: database, configuration: configuration, logger: logger, username: username, password: password)
            print("Password set for \(account.username). Their sessions and API log-ins have ended.")
        } catch let error as AccountError {
            if let fields = error.fieldErrors {
                for message in fields.values.joined() { StandardStreams.writeError("\(message)\n") }
            } else if error == .notFound {
                StandardStreams.writeError("There is no user named \(username).\n")
            } else {
                StandardStreams.writeError("Error: \(error)\n")
            }
            throw ExitCode(1)
        }
    }

    static func readStandardInput() throws -> String {
        guard let text = PasswordInput.standardInput() else { throw ValidationError("Standard input held no password.") }
        return text
    }

    static func promptTwice() throws -> String {
        let first = try prompt("Password: ")
        let second = try prompt("Password (again): ")
        guard first == second else { throw ValidationError("The two passwords didn’t match.") }
        guard !first.isEmpty else { throw ValidationError("The password may not be blank.") }
        return first
    }

    /// One line from the terminal with echo off, restored even when reading fails.
    static func prompt(_ text: String) throws -> String {
        StandardStreams.writeError(text)
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { throw ValidationError("Cannot read the terminal's settings.") }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            StandardStreams.writeError("\n")
        }
        guard let line = readLine(strippingNewline: true) else { throw ValidationError("No password was typed.") }
        return line
    }
}
