import ArgumentParser
import FoundationEssentials
import Glibc
import Logging
import ParleyApp
import Postgres

/// `parley import-users FILE.csv`: Django's `loaddata` for accounts, from a CSV file.
struct ImportUsers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-users",
        abstract: "Create user accounts from a CSV file (all or nothing).",
        discussion: """
            The first row names the columns, in any order: username, email, first_name, \
            last_name, and optionally role (guest, host or admin; default guest) and password. \
            Every row is checked as sign-up checks it; usernames and emails must be unique, \
            ignoring case, within the file and against existing accounts. If any row is wrong \
            nothing is imported: the first 20 problems are printed as FILE:LINE: FIELD: MESSAGE, \
            then their count, and the exit status is 1. Passwords are hashed with the argon2id \
            settings of sign-up (PARLEY_PASSWORD_HASH_*); an account without one cannot log in \
            until `parley set-password USER`. Uses DATABASE_URL.

            Example:
              $ cat people.csv
              username,email,first_name,last_name,role
              ada,ada@example.com,Ada,Lovelace,host
              $ parley import-users people.csv --dry-run
              $ parley import-users people.csv --on-conflict skip
            """
    )

    @Argument(help: "The CSV file (UTF-8), or - for standard input.")
    var file: String

    @Option(help: "When a username already has an account: fail, skip (leave it) or update (overwrite email, names, role, and password when given).")
    var onConflict: String = "fail"

    @Flag(help: "Check the file and say what would happen, changing nothing.")
    var dryRun = false

    @Flag(help: "No progress output.")
    var quiet = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard ImportConflictPolicy(rawValue: onConflict) != nil else {
            throw ValidationError("--on-conflict must be fail, skip or update, not \"\(onConflict)\".")
        }
    }

    func run() throws {
        let logger = try common.bootstrapLogging()
        let policy = ImportConflictPolicy(rawValue: onConflict) ?? .fail
        let name = file == "-" ? "<stdin>" : file
        let descriptor = file == "-" ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CommandFailure("\(file): \(String(cString: strerror(errno)))") }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        var status = stat()
        let size = fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) : nil
        let progress = ProgressLine(noun: "rows", totalBytes: size, quiet: quiet)
        let database = PostgresDatabase(configuration: try PostgresConfiguration.forBulkCommand(), logger: logger)
        let report: UserImportReport
        do {
            report = try UserImport.run(
                database: database, configuration: try AuthConfiguration.fromEnvironment(ProcessInfo.processInfo.environment),
                descriptor: descriptor, options: UserImport.Options(policy: policy, dryRun: dryRun)
            ) { step in
                switch step.stage {
                case .reading: progress.update(rows: step.rows, bytes: step.bytesRead)
                case .checking: progress.stage("checking \(step.rows) rows", rows: step.rows, bytes: step.bytesRead)
                case .writing: progress.stage("writing the accounts", rows: step.rows, bytes: step.bytesRead)
                }
            }
        } catch let error as UserImportError {
            throw CommandFailure("\(name):\(error.line): \(error.message)")
        }
        progress.finish()
        guard report.succeeded else {
            for problem in report.problems {
                printError("\(name):\(problem.line): \(problem.field): \(problem.message)")
            }
            let more = report.problemCount - report.problems.count
            printError("\(report.problemCount) problem\(report.problemCount == 1 ? "" : "s") in \(name)\(more > 0 ? " (\(more) not shown)" : ""); nothing was imported.")
            throw ExitCode(1)
        }
        let verb = report.dryRun ? "Would create" : "Created"
        var summary = "\(verb) \(report.created) user\(report.created == 1 ? "" : "s")"
        if policy == .update { summary += ", \(report.dryRun ? "update" : "updated") \(report.updated)" }
        if report.skipped > 0 || policy == .skip { summary += ", \(report.dryRun ? "skip" : "skipped") \(report.skipped) existing" }
        summary += " from \(report.rows) row\(report.rows == 1 ? "" : "s") of \(name)."
        if report.dryRun { summary += " Dry run: nothing was changed." }
        print(summary)
        if report.withoutPassword > 0, !report.dryRun {
            print("\(report.withoutPassword) row\(report.withoutPassword == 1 ? " has" : "s have") no password: such new accounts cannot log in until `parley set-password USER`.")
        }
    }
}

/// A command's refusal: the message goes to standard error as it is, and the exit status is 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

func printError(_ text: String) {
    StandardStreams.writeError(text + "\n")
}
