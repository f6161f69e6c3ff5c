import FoundationEssentials

/// Where one migration stands in the database.
public struct MigrationStatus: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        /// Recorded in `schema_migrations`, with a matching checksum.
        case applied
        /// Not applied yet.
        case pending
        /// Applied, but the file changed since.
        case changed
        /// Recorded in the database, with no file for it.
        case missingFile
    }

    public let version: Int
    public let name: String
    public let state: State
    public let appliedAt: Date?
}
