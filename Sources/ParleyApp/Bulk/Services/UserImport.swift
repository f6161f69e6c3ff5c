import Dispatch
import FoundationEssentials
import Logging
import Postgres
import Synchronization
import Web

/// `parley import-users`: accounts from a CSV file, all or nothing.
///
/// The file is read in chunks and streamed with COPY into a staging table; what needs one row
/// (the username's characters, as the API normalises them, and the password rules) is checked
/// here as the row passes, everything else in PostgreSQL over the whole table. Nothing is
/// kept in memory but the current batch of passwords to hash and the first problems.
public enum UserImport {
    /// Problems printed in full; the rest are counted.
    public static let problemLimit = 20
    /// Passwords hashed at once, across the gate's threads.
    static let hashBatch = 64

    public struct Options: Sendable {
        public var policy: ImportConflictPolicy = .fail
        public var dryRun = false
        public init(policy: ImportConflictPolicy = .fail, dryRun: Bool = false) {
            self.policy = policy
            self.dryRun = dryRun
        }
    }

    /// Imports the CSV on `descriptor`. Problems in rows come back in the report (nothing is
    /// changed then); an unusable header or input throws ``UserImportError``.
    public static func run(
        database: PostgresDatabase, configuration: AuthConfiguration, descriptor: Int32, options: Options,
        progress: (ImportProgress) -> Void
    ) throws -> UserImportReport {
        // The process's one gate, as wide as sign-ups may use: the import is its only user.
        let hasher = PasswordHasher(
            parameters: configuration.passwordHashing, concurrency: configuration.passwordHashConcurrency,
            queueLimit: ProcessInfo.processInfo.activeProcessorCount, waitTimeout: .seconds(600))
        var reader = CSVReader(descriptor: descriptor)
        let columns: ImportColumns
        do {
            guard let header = try reader.next() else { throw UserImportError(line: 1, message: "the file is empty (a header row is needed)") }
            columns = try ImportColumns(header: header.fields)
        } catch let error as CSVReader.UnterminatedQuote {
            throw UserImportError(line: error.line, message: "a quoted field is never closed")
        } catch let error as CSVReadError {
            throw UserImportError(line: 1, message: "cannot read the input: \(error)")
        }
        var outcome: UserImportReport?
        do {
            try database.write { connection in
                try connection.withTransaction(maxAttempts: 1) { connection in
                    let repository = ParleyApplication.repositories.userImport(connection)
                    let report = try importRows(
                        reader: &reader, columns: columns, repository: repository, hasher: hasher,
                        validation: AccountValidation(configuration: configuration), options: options, progress: progress)
                    outcome = report
                    // Roll back what was staged or written: a dry run, or a file with problems.
                    if report.dryRun || !report.succeeded { throw Rollback() }
                }
            }
        } catch let error as PostgresTransactionError where error.closureError is Rollback {
        } catch let error as PostgresTransactionError {
            if let error = error.closureError as? UserImportError { throw error }
            throw error
        }
        return outcome ?? UserImportReport()
    }

    private struct Rollback: Error {}

    private static func importRows(
        reader: inout CSVReader, columns: ImportColumns, repository: any UserImportRepository, hasher: PasswordHasher,
        validation: AccountValidation, options: Options, progress: (ImportProgress) -> Void
    ) throws -> UserImportReport {
        var report = UserImportReport()
        report.dryRun = options.dryRun
        var local = ProblemList()
        var validation = validation
        try repository.createStaging()
        var lastProgress = ContinuousClock.now
        _ = try repository.load { append in
            var pending: [(row: StagingRow, password: String)] = []
            func flushPasswords() throws {
                guard !pending.isEmpty else { return }
                let hashes = try hashAll(pending.map(\.password), hasher: hasher)
                for (index, item) in pending.enumerated() {
                    let row = item.row
                    try append(StagingRow(
                        line: row.line, username: row.username, email: row.email, firstName: row.firstName,
                        lastName: row.lastName, role: row.role, passwordHash: hashes[index]))
                }
                pending.removeAll(keepingCapacity: true)
            }
            while let record = try readRecord(&reader) {
                report.rows += 1
                guard record.fields.count == columns.count else {
                    local.add(ImportProblem(
                        line: record.line, field: "-",
                        message: "\(record.fields.count) fields where the header has \(columns.count)"))
                    continue
                }
                // COPY cannot carry a NUL; the row is reported and left out.
                if let index = record.fields.firstIndex(where: { $0.utf8.contains(0) }) {
                    local.add(ImportProblem(line: record.line, field: columnName(index, columns), message: AccountValidation.nullCharacters))
                    continue
                }
                let row = stagingRow(record, columns, problems: &local)
                if let passwordIndex = columns.password, !record.fields[passwordIndex].isEmpty {
                    let password = record.fields[passwordIndex]
                    validation.errors = [:]
                    let checked = validation.password(password, attributes: PasswordPolicy.Attributes(
                        username: row.username, firstName: row.firstName, lastName: row.lastName, email: row.email))
                    for message in validation.errors["password"] ?? [] {
                        local.add(ImportProblem(line: record.line, field: "password", message: message))
                    }
                    if let checked, !options.dryRun, local.count == 0 {
                        pending.append((row, checked))
                        if pending.count >= hashBatch { try flushPasswords() }
                        continue
                    }
                } else {
                    report.withoutPassword += 1
                }
                try append(row)
                let now = ContinuousClock.now
                if now - lastProgress >= .milliseconds(100) {
                    lastProgress = now
                    progress(ImportProgress(rows: report.rows, bytesRead: reader.bytesRead))
                }
            }
            try flushPasswords()
        }
        progress(ImportProgress(rows: report.rows, bytesRead: reader.bytesRead))
        progress(ImportProgress(rows: report.rows, bytesRead: reader.bytesRead, stage: .checking))

        let checked = try repository.problems(policy: options.policy, limit: problemLimit)
        report.problems = Array((local.first + checked.problems)
            .sorted { ($0.line, $0.field, $0.message) < ($1.line, $1.field, $1.message) }
            .prefix(problemLimit))
        report.problemCount = local.count + checked.count
        guard report.succeeded else { return report }
        if options.dryRun {
            let plan = try repository.plan()
            report.created = plan.new
            switch options.policy {
            case .update: report.updated = plan.existing
            case .skip, .fail: report.skipped = plan.existing
            }
            return report
        }
        progress(ImportProgress(rows: report.rows, bytesRead: reader.bytesRead, stage: .writing))
        let applied = try repository.apply(policy: options.policy)
        report.created = applied.created
        report.updated = applied.updated
        report.skipped = report.rows - applied.created - applied.updated
        return report
    }

    private static func readRecord(_ reader: inout CSVReader) throws -> CSVReader.Record? {
        do {
            return try reader.next()
        } catch let error as CSVReader.UnterminatedQuote {
            throw UserImportError(line: error.line, message: "a quoted field is never closed")
        } catch let error as CSVReadError {
            throw UserImportError(line: 0, message: "cannot read the input: \(error)")
        }
    }

    /// The row as it will be stored: trimmed as the API trims, the username NFKC-normalised and
    /// checked for its characters, the email's domain lowercased. The SQL checks see the rest.
    private static func stagingRow(_ record: CSVReader.Record, _ columns: ImportColumns, problems: inout ProblemList) -> StagingRow {
        func field(_ index: Int) -> String {
            record.fields[index].trimmingWhitespaceAndNewlines()
        }
        let username = field(columns.username).nfkcNormalized
        if !username.unicodeScalars.allSatisfy(AccountValidation.isUsernameScalar) {
            problems.add(ImportProblem(line: record.line, field: "username", message: AccountValidation.invalidUsername))
        }
        var email = field(columns.email)
        if let at = email.lastIndex(of: "@") {
            email = email[..<at] + "@" + email[email.index(after: at)...].lowercased()
        }
        let role = columns.role.map(field).flatMap { $0.isEmpty ? nil : $0.lowercased() }
        return StagingRow(
            line: record.line, username: username, email: email, firstName: field(columns.firstName),
            lastName: field(columns.lastName), role: role, passwordHash: nil)
    }

    private static func columnName(_ index: Int, _ columns: ImportColumns) -> String {
        switch index {
        case columns.username: "username"
        case columns.email: "email"
        case columns.firstName: "first_name"
        case columns.lastName: "last_name"
        case columns.role: "role"
        default: "password"
        }
    }

    /// Hashes `passwords` in parallel; each hash passes the hasher's gate, which bounds the
    /// cores in use.
    private static func hashAll(_ passwords: [String], hasher: PasswordHasher) throws -> [String] {
        let results = Mutex<[Result<String, PasswordHashingError>?]>(Array(repeating: nil, count: passwords.count))
        DispatchQueue.concurrentPerform(iterations: passwords.count) { index in
            let result = Result { () throws(PasswordHashingError) -> String in try hasher.hash(passwords[index]) }
            results.withLock { $0[index] = result }
        }
        return try results.withLock { results in try results.map { try $0!.get() } }
    }
}

/// The first problems found while reading, and how many there were.
private struct ProblemList {
    var first: [ImportProblem] = []
    var count = 0

    mutating func add(_ problem: ImportProblem) {
        count += 1
        if first.count < UserImport.problemLimit { first.append(problem) }
    }
}
