import CivilTime
import CLibPQ
import FoundationEssentials
import Glibc
import Logging

/// One libpq connection, owned by one thread.
///
/// Statements with the same SQL text and parameter types are prepared once per connection and
/// then executed by name (bounded LRU, `PostgresConfiguration.preparedStatementCacheSize`).
/// Parameters and results travel in binary format. Every statement's duration is logged at
/// debug level, slow ones at warning level; bind values are never logged.
///
/// The connection is closed when the object is released. After a connection failure
/// (`PostgresError.isConnectionFailure`) it stays broken: `PostgresDatabase` replaces it.
public final class PostgresConnection {
    let handle: OpaquePointer
    public let configuration: PostgresConfiguration
    public let logger: Logger
    var statements: PreparedStatementCache
    /// Kept alive for libpq's notice callback, which receives an unretained pointer to it.
    private let noticeSink: NoticeSink
    /// Told of each statement (the server's scoreboard); nil outside a server.
    let observer: (any PostgresObserver)?
    /// Set by `PostgresDatabase.read` for the length of its closure (``PostgresPrecondition``).
    var precondition: PostgresPrecondition?

    /// Connects, then applies the session settings (statement, lock and idle-in-transaction timeouts).
    public init(configuration: PostgresConfiguration, logger: Logger, observer: (any PostgresObserver)? = nil) throws {
        self.configuration = configuration
        self.logger = logger
        self.observer = observer
        self.statements = PreparedStatementCache(capacity: configuration.preparedStatementCacheSize)
        self.noticeSink = NoticeSink(logger: logger)

        let start = ContinuousClock.now
        let parameters = configuration.connectionParameters
        let connection = withCStringArrays(parameters.map(\.0), parameters.map(\.1)) { keywords, values in
            PQconnectdbParams(keywords, values, 1)
        }
        guard let connection else {
            throw PostgresError.connection("libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = PostgresError.cleaned(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            throw PostgresError.connection(message.isEmpty ? "could not connect" : message)
        }
        self.handle = connection
        self.backendPID = Int(PQbackendPID(connection))
        PQsetNoticeReceiver(connection, noticeReceiver, Unmanaged.passUnretained(self.noticeSink).toOpaque())

        try self.simpleCommand(configuration.sessionSettingsSQL)  // on failure, deinit closes the handle
        logger.debug(
            "connected to PostgreSQL",
            metadata: [
                "backend_pid": "\(self.backendPID)", "server_version": "\(self.serverVersion)",
                "connect_ms": "\(Self.format(start.duration(to: .now)))",
            ])
    }

    deinit {
        PQfinish(self.handle)
    }

    // MARK: - State

    /// True once libpq has found the connection broken; such a connection never recovers.
    public var isBroken: Bool {
        PQstatus(self.handle) != CONNECTION_OK
    }

    /// True between BEGIN and COMMIT/ROLLBACK (including a transaction aborted by an error).
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(self.handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// The server process serving this connection (`pg_backend_pid()`), remembered after it breaks.
    public let backendPID: Int

    /// For example 150018 for 15.18.
    public var serverVersion: Int {
        Int(PQserverVersion(self.handle))
    }

    /// Whether statements are prepared and executed by name (a cache size above 0). Read from
    /// the constant configuration: asking the cache, a mutable property, costs an access check.
    var usesNamedStatements: Bool {
        self.configuration.preparedStatementCacheSize > 0
    }

    /// Number of statements currently prepared on this connection.
    public var preparedStatementCount: Int {
        self.statements.count
    }

    /// Checks, without a round trip, that the server has not closed an idle connection (restart,
    /// `pg_terminate_backend`): an idle socket that turns readable carries a FATAL and EOF.
    /// Returns false when the connection is broken.
    public func checkAlive() -> Bool {
        guard !self.isBroken else { return false }
        guard !self.isInTransaction else { return true }  // a server never speaks unasked mid-transaction either
        let socket = PQsocket(self.handle)
        guard socket >= 0 else { return false }
        for _ in 0..<8 {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { break }
            if PQconsumeInput(self.handle) == 0 || self.isBroken { return false }
            // Drain what was read (notifications, the FATAL notice) before polling again.
            while let notification = PQnotifies(self.handle) { PQfreemem(notification) }
        }
        return !self.isBroken
    }

    // MARK: - Queries

    /// Runs a statement and returns its rows (all of them, in memory). A pending
    /// ``PostgresPrecondition`` rides in front, in the same round trip and transaction.
    public func query(_ query: PostgresQuery) throws -> PostgresRows {
        if let precondition = self.precondition { return try self.pipelineBehindPrecondition(precondition, [query], sync: .once)[0].get() }
        return PostgresRows(result: try self.run(query))
    }

    /// Runs a statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws -> Int {
        try self.run(query).affectedRows
    }

    /// Runs SQL that may hold several statements (a migration file) through the simple query
    /// protocol. It cannot carry binds: interpolated values are refused.
    public func executeScript(_ script: PostgresQuery) throws {
        guard script.binds.isEmpty else {
            throw PostgresError.invalidQuery("a script cannot carry bind parameters", sql: script.sql)
        }
        try script.validate()
        try self.simpleCommand(script.sql)
    }

    func run(_ query: PostgresQuery) throws -> PostgresResult {
        try query.validate()
        let start = ContinuousClock.now
        if let observer { query.withSQLBytes { observer.statementStarted($0) } }
        do {
            let result = try self.executeParameterized(query)
            self.observer?.statementFinished(failed: false)
            self.logStatement(query.sql, start: start, rows: result.rowCount)
            return result
        } catch {
            self.observer?.statementFinished(failed: true)
            self.logStatement(query.sql, start: start, error: error)
            throw error
        }
    }

    /// Cancels this connection's running statement from another thread.
    public func makeCanceller() -> PostgresCanceller { PostgresCanceller(connection: self.handle) }

    private func executeParameterized(_ query: PostgresQuery) throws -> PostgresResult {
        guard self.usesNamedStatements else {
            let raw = query.withSQL { sql in
                query.binds.withLibpqParameters { count, values, lengths, formats, types in
                    PQexecParams(self.handle, sql, count, types, values, lengths, formats, 1)
                }
            }
            self.observer?.roundTrip(statements: 1)
            return try self.checkResult(raw, query)
        }
        var retried = false
        while true {
            let name = try self.preparedStatement(for: query)
            let raw = name.withUnsafeBufferPointer { name in
                query.binds.withLibpqParameters { count, values, lengths, formats, _ in
                    PQexecPrepared(self.handle, name.baseAddress, count, values, lengths, formats, 1)
                }
            }
            self.observer?.roundTrip(statements: 1)
            do {
                return try self.checkResult(raw, query)
            } catch let error as PostgresError where !retried && self.isStalePreparedStatement(error) {
                // The statement vanished (DISCARD ALL) or its plan no longer fits the schema:
                // nothing ran, so prepare it again, once. Inside a transaction the error has
                // already aborted it, and the caller must see that.
                self.statements.removeAll()
                retried = true
            }
        }
    }

    private func isStalePreparedStatement(_ error: PostgresError) -> Bool {
        guard !self.isInTransaction, !self.isBroken else { return false }
        if error.code == .invalidSqlStatementName { return true }
        return error.code == .featureNotSupported && (error.serverMessage ?? "").hasPrefix("cached plan must not change result type")
    }

    /// The name under which `query` is prepared on this connection, preparing it on first use.
    func preparedStatement(for query: PostgresQuery) throws -> ContiguousArray<CChar> {
        if let name = self.statements.lookup(query) { return name }
        let name = self.statements.nextName()
        let types = query.binds.types
        let raw = query.withSQL { sql in
            types.withUnsafeBufferPointer { types in
                name.withUnsafeBufferPointer { name in
                    PQprepare(self.handle, name.baseAddress, sql, Int32(types.count), types.baseAddress)
                }
            }
        }
        self.observer?.roundTrip(statements: 0)
        _ = try self.checkResult(raw, query)
        if let evicted = self.statements.insert(sql: query.sqlBytes, types: types, name: name) {
            self.deallocate(evicted)
        }
        return name
    }

    private func deallocate(_ name: String) {
        do {
            try self.simpleCommand("DEALLOCATE \(name)", log: false)
        } catch {
            self.logger.debug("could not deallocate prepared statement", metadata: ["statement": "\(name)", "error": "\(postgresLogDescription(error))"])
        }
    }

    /// Runs SQL without parameters through the simple query protocol (BEGIN, SET, scripts).
    /// Returns the command tag of the last statement.
    @discardableResult
    func simpleCommand(_ sql: String, log: Bool = true) throws -> String {
        let start = ContinuousClock.now
        do {
            let raw = PQexec(self.handle, sql)
            self.observer?.roundTrip(statements: 1)
            let result = try self.checkResult(raw, PostgresQuery(unsafeSQL: sql))
            if log { self.logStatement(sql, start: start, rows: nil) }
            return result.commandTag
        } catch {
            if log { self.logStatement(sql, start: start, error: error) }
            throw error
        }
    }

    /// Turns what libpq returned into a result or a typed error, and frees it on error.
    func checkResult(_ raw: OpaquePointer?, _ query: PostgresQuery) throws -> PostgresResult {
        guard let raw else {
            throw PostgresError.from(result: nil, connection: self.handle, sql: query.sql, binds: query.binds)
        }
        let status = PQresultStatus(raw)
        switch status {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_SINGLE_TUPLE, PGRES_EMPTY_QUERY:
            return PostgresResult(raw)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQclear(raw)
            self.abandonCopy()
            throw PostgresError.unexpected("COPY is only supported through copyFrom(table:columns:_:)", sql: query.sql)
        default:
            let error = PostgresError.from(result: raw, connection: self.handle, sql: query.sql, binds: query.binds)
            PQclear(raw)
            throw error
        }
    }

    /// Leaves a COPY state a plain query started, so the connection stays usable.
    private func abandonCopy() {
        _ = PQputCopyEnd(self.handle, "COPY is not supported through query()")
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(self.handle, &buffer, 0) > 0 {
            PQfreemem(buffer)
        }
        while let result = PQgetResult(self.handle) { PQclear(result) }
    }

    // MARK: - Query log

    func logStatement(
        _ sql: @autoclosure () -> String, start: ContinuousClock.Instant, rows: @autoclosure () -> Int? = nil,
        error: (any Error)? = nil
    ) {
        let elapsed = start.duration(to: .now)
        let slow = elapsed >= self.configuration.slowQueryThreshold
        guard slow || self.logger.logLevel <= .debug else { return }
        var metadata: Logger.Metadata = ["sql": "\(sql())", "duration_ms": "\(Self.format(elapsed))"]
        if let rows = rows() { metadata["rows"] = "\(rows)" }
        if let error { metadata["error"] = "\(postgresLogDescription(error))" }
        if slow {
            self.logger.warning("slow query", metadata: metadata)
        } else {
            self.logger.debug("query", metadata: metadata)
        }
    }

    static func format(_ duration: Duration) -> String {
        String(duration.milliseconds, fractionDigits: 3)
    }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}

/// Receives server notices (NOTICE, WARNING, the FATAL sent before a forced disconnect) and logs
/// them instead of letting libpq print to stderr.
private final class NoticeSink {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

private func noticeReceiver(_ context: UnsafeMutableRawPointer?, _ result: OpaquePointer?) {
    guard let context, let result else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
    let field = { (code: Int32) in PQresultErrorField(result, code).map { String(cString: $0) } }
    let severity = field(DiagnosticField.severityNonlocalized) ?? "NOTICE"
    let message = field(DiagnosticField.messagePrimary) ?? ""
    let metadata: Logger.Metadata = ["severity": "\(severity)", "sqlstate": "\(field(DiagnosticField.sqlstate) ?? "")"]
    switch severity {
    case "WARNING", "ERROR", "FATAL", "PANIC":
        sink.logger.warning("PostgreSQL: \(message)", metadata: metadata)
    default:
        sink.logger.debug("PostgreSQL: \(message)", metadata: metadata)
    }
}

/// Lends two NUL-terminated arrays of C strings (libpq's keyword/value arrays) to `body`.
func withCStringArrays<R>(
    _ first: [String], _ second: [String],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> R
) -> R {
    let firstCopies = first.map { strdup($0) } + [nil]
    let secondCopies = second.map { strdup($0) } + [nil]
    defer {
        firstCopies.forEach { free($0) }
        secondCopies.forEach { free($0) }
    }
    let firstPointers = firstCopies.map { $0.map { UnsafePointer($0) } }
    let secondPointers = secondCopies.map { $0.map { UnsafePointer($0) } }
    return firstPointers.withUnsafeBufferPointer { keys in
        secondPointers.withUnsafeBufferPointer { values in
            body(keys.baseAddress!, values.baseAddress!)
        }
    }
}
