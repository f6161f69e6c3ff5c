/// Why migrations could not be loaded or applied. Every case names the file involved.
public struct MigrationError: Error, CustomStringConvertible, Sendable {
    private enum Reason: Sendable {
        case badFileName(String)
        case duplicateVersion(Int, [String])
        case unreadable(String, String)
        case checksumMismatch(String, recorded: String, current: String)
        case failed(String, PostgresError?)
    }

    private let reason: Reason
    /// The underlying error when a migration failed to apply.
    public let underlying: (any Error)?

    private init(_ reason: Reason, underlying: (any Error)? = nil) {
        self.reason = reason
        self.underlying = underlying
    }

    static func badFileName(_ name: String) -> MigrationError { .init(.badFileName(name)) }
    static func duplicateVersion(_ version: Int, files: [String]) -> MigrationError { .init(.duplicateVersion(version, files)) }
    static func unreadable(path: String, reason: String) -> MigrationError { .init(.unreadable(path, reason)) }
    static func checksumMismatch(_ file: String, recorded: String, current: String) -> MigrationError {
        .init(.checksumMismatch(file, recorded: recorded, current: current))
    }
    static func failed(_ file: String, _ error: any Error) -> MigrationError {
        let postgres = (error as? PostgresTransactionError)?.postgresError ?? (error as? PostgresError)
        return .init(.failed(file, postgres), underlying: error)
    }

    /// True when an applied migration's file was edited afterwards.
    public var isChecksumMismatch: Bool {
        if case .checksumMismatch = self.reason { return true }
        return false
    }

    /// The migration file the error is about.
    public var fileName: String? {
        switch self.reason {
        case .badFileName(let name), .checksumMismatch(let name, _, _), .failed(let name, _): return name
        case .duplicateVersion(_, let files): return files.last
        case .unreadable(let path, _): return path
        }
    }

    public var description: String {
        switch self.reason {
        case .badFileName(let name):
            return "bad migration file name \"\(name)\": expected <version>_<name>.sql, such as 0001_create_users.sql"
        case .duplicateVersion(let version, let files):
            return "migration version \(version) is used by more than one file: \(files.joined(separator: ", "))"
        case .unreadable(let path, let reason):
            return "cannot read migrations at \(path): \(reason)"
        case .checksumMismatch(let file, let recorded, let current):
            return "migration \(file) was changed after it was applied (recorded checksum \(recorded.prefix(12))…, "
                + "file now \(current.prefix(12))…); add a new migration instead of editing an applied one"
        case .failed(let file, let error):
            return "migration \(file) failed and was rolled back: \(error.map { "\($0)" } ?? "\(self.underlying.map { "\($0)" } ?? "")")"
        }
    }
}
