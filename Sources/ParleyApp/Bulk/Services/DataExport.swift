import FoundationEssentials
import Postgres

/// A user's data, streamed: the export behind `GET /api/users/me/export/`, the account page's
/// "Export my data" and `parley export`. One export runs per user at a time.
public struct DataExport {
    let repository: any ExportRepository

    /// Another export of the same user is running.
    public struct Busy: Error {}

    /// Takes the user's export lock, or throws ``Busy``. Pair with ``finish(userID:)``.
    func begin(userID: UUID) throws {
        guard try repository.lock(userID: userID) else { throw Busy() }
    }

    func finish(userID: UUID) {
        try? repository.unlock(userID: userID)
    }

    /// Writes every line, each ended by a newline (the CSV header first); returns the number of
    /// data lines. An error from `write` (the client hung up) stops the query at once.
    @discardableResult
    func write(userID: UUID, format: ExportFormat, to write: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        if let header = format.header {
            var header = header
            try header.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
        }
        let newline: [UInt8] = [10]
        return try repository.export(userID: userID, format: format) { line in
            try write(line)
            try newline.withUnsafeBytes { try write($0) }
        }
    }

    /// `parley export`: the export of the account named `username`, under its lock.
    public static func run(
        database: PostgresDatabase, username: String, format: ExportFormat, to write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        let export = DataExport(repository: ParleyApplication.repositories.export(database))
        guard let userID = try export.repository.userID(username: username) else { throw UnknownUser() }
        try export.begin(userID: userID)
        defer { export.finish(userID: userID) }
        return try export.write(userID: userID, format: format, to: write)
    }

    /// No account has that username.
    public struct UnknownUser: Error {}
}
