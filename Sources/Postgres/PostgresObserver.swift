import CLibPQ
import Synchronization

/// Told what a connection is doing, for a server's status page, slow log and deadlines. Called
/// on the connection's own thread; it sees SQL text, never bind values.
public protocol PostgresObserver: AnyObject {
    /// A statement (or a pipeline, by its first statement) is sent.
    func statementStarted(_ sql: UnsafeRawBufferPointer)
    /// It finished; `failed` when PostgreSQL (or the connection) reported an error.
    func statementFinished(failed: Bool)
    /// A new connection is open; `canceller` cancels what it runs, from any thread.
    func connected(_ canceller: PostgresCanceller, reconnect: Bool)
    /// One exchange with the server ended, carrying `statements` statements: one, a pipeline's
    /// count (one round trip for all), or none for a PREPARE of its own. BEGIN, COMMIT and
    /// ROLLBACK are statements too. What a request costs the database, counted where it is spent.
    func roundTrip(statements: Int)
}

extension PostgresObserver {
    public func roundTrip(statements: Int) {}
}

/// Cancels the statement a connection is running (`PQcancel`), from any thread: the request
/// deadline's way to stop a query without touching the connection its thread owns.
public final class PostgresCanceller: @unchecked Sendable {
    // @unchecked: the PGcancel is used only under the lock; libpq allows PQcancel from any thread.
    private let lock = Mutex(())
    private let handle: OpaquePointer?

    init(connection: OpaquePointer) {
        handle = PQgetCancel(connection)
    }

    /// Asks the server to cancel the running statement; true if the request was sent. A
    /// statement that already finished is not affected.
    @discardableResult
    public func cancel() -> Bool {
        lock.withLock { _ in
            guard let handle else { return false }
            var message = [CChar](repeating: 0, count: 256)
            return PQcancel(handle, &message, Int32(message.count)) == 1
        }
    }

    deinit {
        if let handle { PQfreeCancel(handle) }
    }
}
