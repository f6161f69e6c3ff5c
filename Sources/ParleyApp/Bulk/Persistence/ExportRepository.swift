import FoundationEssentials

/// The SQL of data exports. Each line is built by PostgreSQL (`json_build_object`, or CSV
/// quoting) and handed over as it arrives (single-row mode), so an export of any size holds
/// one row in memory.
protocol ExportRepository {
    /// Takes the user's export lock (one running export per user, across processes and
    /// instances); false when another export holds it.
    func lock(userID: UUID) throws -> Bool
    func unlock(userID: UUID) throws
    /// Streams every line of the user's export, each without its newline, in one snapshot
    /// (a repeatable-read transaction). Returns the number of lines.
    func export(userID: UUID, format: ExportFormat, _ line: (UnsafeRawBufferPointer) throws -> Void) throws -> Int
    /// The id of the account named `username` (ignoring case), for `parley export --user`.
    func userID(username: String) throws -> UUID?
}
