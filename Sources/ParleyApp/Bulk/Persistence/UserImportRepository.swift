/// The SQL of `parley import-users`, on one connection inside the import's transaction: a
/// temporary staging table loaded with COPY, the checks that need the whole file or the users
/// table (run in PostgreSQL, so no row is held in memory), and the statements that apply it.
protocol UserImportRepository {
    /// Creates the staging table (dropped at the end of the transaction).
    func createStaging() throws
    /// Loads rows into the staging table with COPY; `body` appends them with `append`.
    func load(_ body: (_ append: (StagingRow) throws -> Void) throws -> Void) throws -> Int
    /// The first `limit` problems in line order, and how many there are in all.
    func problems(policy: ImportConflictPolicy, limit: Int) throws -> (problems: [ImportProblem], count: Int)
    /// Rows whose username is new, and rows whose username belongs to an account.
    func plan() throws -> (new: Int, existing: Int)
    /// Creates the new accounts (and updates the existing ones with `.update`); returns
    /// (created, updated).
    func apply(policy: ImportConflictPolicy) throws -> (created: Int, updated: Int)
}

/// A staging row as the import hands it to COPY.
struct StagingRow {
    let line: Int
    let username: String
    let email: String
    let firstName: String
    let lastName: String
    /// nil: not given (a new account is a guest; an updated one keeps its role).
    let role: String?
    /// nil: no password (a new account cannot log in until `parley set-password`).
    let passwordHash: String?
}
