import CivilTime
import FoundationEssentials
import Logging

/// What a worker thread owns: one connection, opened lazily and re-opened after it breaks.
///
/// - `read` runs its closure again, once, on a fresh connection if the connection broke: only
///   give it closures that change nothing.
/// - `write` never runs its closure again: a statement that may have been applied is not
///   re-sent blindly. Its connection failure is rethrown (and the next call reconnects).
/// - `transaction` runs the whole transaction again, once, on a fresh connection if the
///   connection broke before COMMIT was sent; serialization failures and deadlocks are retried
///   with jittered backoff (`PostgresConfiguration.transactionMaxAttempts`).
///
/// Before each call an idle connection is checked, without a round trip, for a close the
/// server announced (restart, `pg_terminate_backend`); re-opening tries
/// `reconnectAttempts` times with exponential backoff, then fails fast for a short cool-down so
/// requests do not queue behind a database that is down.
public final class PostgresDatabase {
    public let configuration: PostgresConfiguration
    public let logger: Logger
    private var connection: PostgresConnection?
    private var consecutiveFailures = 0
    private var retryNotBefore: ContinuousClock.Instant?
    private var lastConnectError: PostgresError?
    /// A statement the next read carries in front of its own (``PostgresPrecondition``).
    private var precondition: PostgresPrecondition?

    /// Told of statements and connections (the server's scoreboard and deadlines).
    private let observer: (any PostgresObserver)?
    private var connectedBefore = false

    /// Does not connect: the first call does.
    public init(configuration: PostgresConfiguration, logger: Logger, observer: (any PostgresObserver)? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.observer = observer
    }

    /// Runs a read-only closure; retried once on a fresh connection if the connection broke.
    public func read<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        // No liveness poll first: a read that meets a closed connection is retried anyway, and
        // the poll was a system call on every request (the C reference makes none).
        let connection = try self.openConnection(checkingAlive: false)
        do {
            return try self.carryingPrecondition(connection, body)
        } catch where connection.isBroken {
            self.discard(connection, error, action: "retrying the read once on a fresh connection")
            let fresh = try self.openConnection()
            do {
                return try self.carryingPrecondition(fresh, body)
            } catch where fresh.isBroken {
                self.discard(fresh, error, action: "giving up")
                throw error
            }
        }
    }

    /// Runs a closure that changes data; never run again after a connection failure, since
    /// what it sent may have been applied.
    @discardableResult
    public func write<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try self.settlePrecondition()
        let connection = try self.openConnection()
        do {
            return try body(connection)
        } catch where connection.isBroken {
            self.discard(connection, error, action: "not retrying a write whose outcome is unknown")
            throw error
        }
    }

    /// Runs `body` in a transaction (see `PostgresConnection.withTransaction`). If the
    /// connection breaks before COMMIT is sent, nothing was committed and the whole closure runs
    /// once more on a fresh connection; if it breaks during COMMIT, the outcome is unknown and
    /// the error is thrown.
    @discardableResult
    public func transaction<T>(
        isolation: PostgresIsolationLevel = .readCommitted,
        file: String = #fileID,
        line: Int = #line,
        _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        try self.settlePrecondition()
        let attempts = self.configuration.transactionMaxAttempts
        let connection = try self.openConnection()
        do {
            return try connection.withTransaction(isolation: isolation, maxAttempts: attempts, file: file, line: line, body)
        } catch let error as PostgresTransactionError where connection.isBroken && error.failedBeforeCommit {
            self.discard(connection, error, action: "retrying the transaction once on a fresh connection")
            let fresh = try self.openConnection()
            do {
                return try fresh.withTransaction(isolation: isolation, maxAttempts: attempts, file: file, line: line, body)
            } catch where fresh.isBroken {
                self.discard(fresh, error, action: "giving up")
                throw error
            }
        } catch where connection.isBroken {
            self.discard(connection, error, action: "not retrying: COMMIT may have been applied")
            throw error
        }
    }

    // MARK: - Precondition

    /// Makes `precondition` ride in front of the next read's first round trip (nil: drops a
    /// pending one). See ``PostgresPrecondition``.
    public func setPrecondition(_ precondition: PostgresPrecondition?) {
        self.precondition = precondition
    }

    /// Runs a pending precondition alone and verifies it (throwing its refusal); nothing when
    /// none is pending.
    public func settlePrecondition() throws {
        guard self.precondition != nil else { return }
        try self.read { try $0.settlePrecondition() }
    }

    /// `body` with the pending precondition lent to `connection`; what it leaves pending (it
    /// is consumed once its answer has come back) stays here.
    @inline(__always)
    private func carryingPrecondition<T>(_ connection: PostgresConnection, _ body: (PostgresConnection) throws -> T) throws -> T {
        guard let precondition = self.precondition else { return try body(connection) }
        connection.precondition = precondition
        defer {
            self.precondition = connection.precondition
            connection.precondition = nil
        }
        return try body(connection)
    }

    /// `SELECT 1` through `read`; false if the database cannot be reached.
    public func ping() -> Bool {
        do {
            return try self.read { try $0.query("SELECT 1").count == 1 }
        } catch {
            self.logger.debug("ping failed", metadata: ["error": "\(postgresLogDescription(error))"])
            return false
        }
    }

    /// Closes the connection, if open; the next call opens a new one.
    public func close() {
        self.connection = nil
    }

    // MARK: - Connection management

    /// The worker's connection, or a new one. `checkingAlive`: first ask the socket, without a
    /// round trip, whether the server closed it while idle (writes must know before they send).
    private func openConnection(checkingAlive: Bool = true) throws -> PostgresConnection {
        if let connection = self.connection {
            if connection.isInTransaction && !connection.isBroken {
                // A closure left a transaction open (a manual BEGIN): never let the next caller
                // run inside it.
                self.logger.warning("connection was left inside a transaction; rolling it back")
                if (try? connection.simpleCommand("ROLLBACK")) == nil { self.connection = nil }
            }
            if let connection = self.connection, checkingAlive ? connection.checkAlive() : !connection.isBroken { return connection }
            self.logger.info("PostgreSQL connection lost; reconnecting", metadata: ["backend_pid": "\(connection.backendPID)"])
            self.connection = nil
        }
        if let notBefore = self.retryNotBefore, ContinuousClock.now < notBefore, let error = self.lastConnectError {
            throw error
        }
        let attempts = max(1, self.configuration.reconnectAttempts)
        var delay = self.configuration.reconnectBaseDelay
        var lastError = PostgresError.connection("could not connect")
        for attempt in 1...attempts {
            do {
                let connection = try PostgresConnection(configuration: self.configuration, logger: self.logger, observer: self.observer)
                self.observer?.connected(connection.makeCanceller(), reconnect: self.connectedBefore)
                self.connectedBefore = true
                if self.consecutiveFailures > 0 {
                    self.logger.info("PostgreSQL connection re-established", metadata: ["attempts": "\(attempt)"])
                }
                self.connection = connection
                self.consecutiveFailures = 0
                self.retryNotBefore = nil
                self.lastConnectError = nil
                return connection
            } catch let error as PostgresError where error.isConnectionFailure {
                lastError = error
                guard attempt < attempts else { break }
                self.logger.debug("connect failed; backing off", metadata: ["attempt": "\(attempt)", "error": "\(postgresLogDescription(error))"])
                let jittered = Double.random(in: 0.5...1.0) * delay.milliseconds / 1000
                sleepThread(seconds: jittered)
                delay = min(delay * 2, self.configuration.reconnectMaxDelay)
            }
        }
        self.consecutiveFailures += 1
        // Capped at 2 s: after an outage each thread waits out its cool-down before it tries
        // again, so the cap bounds recovery (docs/chaos.md, scenario d).
        let coolDown = min(self.configuration.reconnectMaxDelay * self.consecutiveFailures, .seconds(2))
        self.retryNotBefore = ContinuousClock.now + coolDown
        self.lastConnectError = lastError
        self.logger.error(
            "cannot connect to PostgreSQL",
            metadata: ["attempts": "\(attempts)", "error": "\(lastError.logDescription)", "cool_down_ms": "\(coolDown.wholeMilliseconds)"])
        throw lastError
    }

    private func discard(_ connection: PostgresConnection, _ error: any Error, action: String) {
        self.logger.warning(
            "PostgreSQL connection broke; \(action)",
            metadata: ["backend_pid": "\(connection.backendPID)", "error": "\(postgresLogDescription(error))"])
        if self.connection === connection { self.connection = nil }
    }
}

@available(*, unavailable)
extension PostgresDatabase: Sendable {}
