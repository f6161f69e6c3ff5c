/// What to do with a row whose username already belongs to an account.
public enum ImportConflictPolicy: String, Sendable, CaseIterable {
    /// Report it as an error (nothing is imported).
    case fail
    /// Leave the existing account as it is.
    case skip
    /// Overwrite the account's email, names, role (and password, when the row has one).
    case update
}

/// One thing wrong with the input: where (line and column) and what, in the API's words.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    /// The physical line of the file (the header is line 1).
    public let line: Int
    /// The column's name, or `-` for the record as a whole.
    public let field: String
    public let message: String

    public init(line: Int, field: String, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String { "line \(line): \(field): \(message)" }
}

/// The outcome of an import (or of a dry run, which changes nothing).
public struct UserImportReport: Sendable {
    public var rows = 0
    public var created = 0
    public var updated = 0
    public var skipped = 0
    /// The first ``UserImport/problemLimit`` problems, in line order.
    public var problems: [ImportProblem] = []
    /// All problems, including those not listed.
    public var problemCount = 0
    public var dryRun = false
    /// Rows that will have no usable password until `parley set-password`.
    public var withoutPassword = 0

    public var succeeded: Bool { problemCount == 0 }
}

/// Progress as rows are read: for the command's progress bar.
public struct ImportProgress: Sendable {
    public enum Stage: Sendable {
        /// Rows are read and loaded (`rows`, `bytesRead` grow).
        case reading
        /// Every row is read; PostgreSQL checks them.
        case checking
        /// The checks passed; the accounts are written.
        case writing
    }

    public let rows: Int
    public let bytesRead: Int
    public var stage: Stage = .reading
}

/// The input as a whole is unusable (its header, an unreadable file): nothing was imported.
public struct UserImportError: Error, Sendable, CustomStringConvertible {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}
