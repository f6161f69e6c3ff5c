import CivilTime
import FoundationEssentials
import Glibc

extension PostgresConnection {
    /// Runs `body` in a transaction: BEGIN, the closure, then COMMIT — or ROLLBACK if it throws.
    ///
    /// A serialization failure (40001) or deadlock (40P01), in the closure or at COMMIT, runs the
    /// whole closure again, up to `maxAttempts` times in all, after a short jittered backoff; the
    /// closure must therefore be safe to repeat. Any failure is thrown as a
    /// `PostgresTransactionError` that keeps every error (BEGIN, closure, ROLLBACK, COMMIT).
    /// Transactions do not nest.
    @discardableResult
    public func withTransaction<T>(
        isolation: PostgresIsolationLevel = .readCommitted,
        maxAttempts: Int = 3,
        file: String = #fileID,
        line: Int = #line,
        _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        guard !self.isInTransaction else {
            var error = PostgresTransactionError(file: file, line: line)
            error.beginError = PostgresError.invalidQuery("withTransaction cannot be nested inside another transaction")
            throw error
        }
        var attempt = 1
        while true {
            do {
                return try self.transactionAttempt(isolation: isolation, file: file, line: line, body)
            } catch var error {
                error.attempts = attempt
                guard error.isRetryable, attempt < maxAttempts, !self.isBroken else { throw error }
                let delay = Self.retryDelay(attempt: attempt)
                self.logger.info(
                    "retrying transaction",
                    metadata: [
                        "sqlstate": "\(error.postgresError?.code?.raw ?? "")", "attempt": "\(attempt + 1)",
                        "delay_ms": "\(Self.format(delay))",
                    ])
                sleepThread(seconds: delay.milliseconds / 1000)
                attempt += 1
            }
        }
    }

    private func transactionAttempt<T>(
        isolation: PostgresIsolationLevel, file: String, line: Int, _ body: (PostgresConnection) throws -> T
    ) throws(PostgresTransactionError) -> T {
        var failure = PostgresTransactionError(file: file, line: line)
        do {
            try self.simpleCommand(isolation == .readCommitted ? "BEGIN" : "BEGIN ISOLATION LEVEL \(isolation.rawValue)")
        } catch {
            failure.beginError = error
            throw failure
        }
        let value: T
        do {
            value = try body(self)
        } catch {
            failure.closureError = error
            if !self.isBroken {
                do {
                    try self.simpleCommand("ROLLBACK")
                } catch {
                    failure.rollbackError = error
                }
            } else {
                failure.rollbackError = PostgresError.connection("connection lost; the server rolls the transaction back")
            }
            throw failure
        }
        do {
            // COMMIT of a transaction an earlier (caught) error aborted answers ROLLBACK, not an error.
            if try self.simpleCommand("COMMIT") == "ROLLBACK" {
                throw PostgresError(
                    kind: .server,
                    message: "COMMIT rolled the transaction back: a statement in it failed and the error was caught",
                    code: .inFailedSqlTransaction)
            }
        } catch {
            failure.commitError = error
            throw failure
        }
        return value
    }

    /// Exponential backoff with full jitter: up to 10 ms, 20 ms, 40 ms… capped at 250 ms.
    static func retryDelay(attempt: Int) -> Duration {
        let ceiling = min(250.0, 10.0 * pow(2.0, Double(attempt - 1)))
        return .microseconds(Int64(Double.random(in: ceiling / 2...ceiling) * 1000))
    }
}
