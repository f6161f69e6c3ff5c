/// Everything that went wrong in a transaction, kept apart: the error from BEGIN, from the
/// closure, from the ROLLBACK that followed it, or from COMMIT.
///
/// When only `closureError` is set, the rollback succeeded. A `commitError` that is a
/// connection failure means the outcome is unknown: the commit may have happened.
public struct PostgresTransactionError: Error, CustomStringConvertible {
    /// Where the transaction was started.
    public var file: String
    public var line: Int
    /// How many times the closure ran (serialization failures and deadlocks are retried).
    public var attempts: Int = 1

    public var beginError: (any Error)?
    public var closureError: (any Error)?
    public var rollbackError: (any Error)?
    public var commitError: (any Error)?

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// The error that decided the outcome: BEGIN's, the closure's, else COMMIT's.
    public var underlying: any Error {
        self.beginError ?? self.closureError ?? self.commitError ?? self.rollbackError!
    }

    /// The PostgreSQL error among them, if any (for its SQLSTATE).
    public var postgresError: PostgresError? {
        [self.beginError, self.closureError, self.commitError, self.rollbackError]
            .lazy.compactMap { $0 as? PostgresError }.first
    }

    /// The server gave up on the transaction because of a serialization failure or deadlock;
    /// running it again may succeed.
    public var isRetryable: Bool {
        guard self.beginError == nil else { return false }
        let decisive = self.closureError ?? self.commitError
        return (decisive as? PostgresError)?.isTransactionRetryable ?? false
    }

    /// The connection broke before COMMIT was sent: nothing was committed.
    public var failedBeforeCommit: Bool {
        self.commitError == nil
    }

    public var description: String {
        var parts: [String] = []
        if let error = self.beginError { parts.append("BEGIN failed: \(error)") }
        if let error = self.closureError { parts.append("closure failed: \(error)") }
        if let error = self.rollbackError { parts.append("ROLLBACK failed: \(error)") }
        if let error = self.commitError { parts.append("COMMIT failed: \(error)") }
        let attempts = self.attempts > 1 ? " after \(self.attempts) attempts" : ""
        return "PostgresTransactionError(\(self.file):\(self.line)\(attempts)): " + parts.joined(separator: "; ")
    }
}
