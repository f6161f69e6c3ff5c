import CLibPQ
import FoundationEssentials
import Glibc

extension PostgresConnection {
    /// Sends every query at once in pipeline mode (one round trip) and returns their outcomes
    /// in order, each failure at its index. Throws only when the connection fails.
    ///
    /// `sync` says where the transactions end (see ``PipelineSync``). Inside `withTransaction`
    /// both are one transaction: a failure aborts it, and the statements after it fail with
    /// `inFailedSqlTransaction`.
    ///
    /// A pending ``PostgresPrecondition`` rides in front, in the same round trip and under the
    /// same `sync`.
    public func pipeline(_ queries: [PostgresQuery], sync: PipelineSync = .afterEach) throws -> [Result<PostgresRows, PostgresError>] {
        guard !queries.isEmpty else { return [] }
        if let precondition = self.precondition { return try self.pipelineBehindPrecondition(precondition, queries, sync: sync) }
        return try self.sendPipeline(queries, reporting: 0, sync: sync)
    }

    /// The pipeline; the scoreboard is told the statement at `reporting` is running.
    func sendPipeline(_ queries: [PostgresQuery], reporting: Int, sync: PipelineSync) throws -> [Result<PostgresRows, PostgresError>] {
        let start = ContinuousClock.now
        var plan = PipelinePlan(queries: queries, connection: self)
        if let observer = self.observer { queries[reporting].withSQLBytes { observer.statementStarted($0) } }
        defer {
            self.observer?.statementFinished(failed: false)
            // Rejected queries were answered here, never sent.
            let sent = queries.count - plan.rejections.count
            if sent > 0 { self.observer?.roundTrip(statements: sent) }
        }
        do {
            let outcomes = try self.runPipeline(queries, &plan, sync: sync)
            for statement in plan.newStatements where statement.prepared {
                if let evicted = self.statements.insert(sql: statement.sql, types: statement.types, name: statement.name) {
                    _ = try? self.simpleCommand("DEALLOCATE \(evicted)", log: false)
                }
            }
            self.logStatement(
                "pipeline of \(queries.count): " + queries.map(\.sql).joined(separator: "; "), start: start,
                rows: outcomes.reduce(0) { $0 + ((try? $1.get().count) ?? 0) })
            return outcomes
        } catch {
            self.logStatement("pipeline of \(queries.count)", start: start, error: error)
            throw error
        }
    }

    private func runPipeline(
        _ queries: [PostgresQuery], _ plan: inout PipelinePlan, sync: PipelineSync
    ) throws -> [Result<PostgresRows, PostgresError>] {
        guard PQenterPipelineMode(self.handle) == 1 else {
            throw PostgresError.from(result: nil, connection: self.handle, sql: nil, binds: nil)
        }
        guard PQsetnonblocking(self.handle, 1) == 0 else {
            _ = PQexitPipelineMode(self.handle)
            throw PostgresError.from(result: nil, connection: self.handle, sql: nil, binds: nil)
        }
        defer {
            _ = PQexitPipelineMode(self.handle)
            _ = PQsetnonblocking(self.handle, 0)
        }

        // The statements whose sync follows them. (libpq 15 flushes the socket at every sync, so
        // each sync is also a send of its own.)
        let lastSent = queries.indices.last(where: { !plan.steps[$0].rejected }) ?? -1
        func syncs(after index: Int) -> Bool { sync == .afterEach || index == lastSent }

        // Send everything; in non-blocking mode libpq buffers what the socket cannot take yet.
        for index in queries.indices {
            let step = plan.steps[index]
            guard !step.rejected else { continue }
            // queries[index] in place, not copied into a local: a copy retains and releases
            // the query's buffer and strings, per statement.
            try step.name.withUnsafeBufferPointer { name in
                if step.prepare {
                    let sent = queries[index].withSQL { sql in
                        queries[index].binds.types.withUnsafeBufferPointer { types in
                            PQsendPrepare(self.handle, name.baseAddress, sql, Int32(types.count), types.baseAddress)
                        }
                    }
                    try self.checkSent(sent, queries[index])
                }
                let sent = queries[index].binds.withLibpqParameters { count, values, lengths, formats, _ in
                    PQsendQueryPrepared(self.handle, name.baseAddress, count, values, lengths, formats, 1)
                }
                try self.checkSent(sent, queries[index])
            }
            if syncs(after: index) { try self.checkSent(PQpipelineSync(self.handle), queries[index]) }
        }

        // Everything sent, read in blocking mode: PQgetResult waits on the socket itself, once
        // per result (like the C reference), instead of PQisBusy and PQgetResult each time.
        // Nothing is left to send by then, so waiting only to read cannot deadlock.
        if let first = queries.indices.first(where: { !plan.steps[$0].rejected }) {
            try self.flushPipeline(queries[first])
        }
        guard PQsetnonblocking(self.handle, 0) == 0 else {
            throw PostgresError.from(result: nil, connection: self.handle, sql: nil, binds: nil)
        }

        // The outcomes, in order: invalid queries' errors in place, the others as they come back.
        // One owner holds every result (one allocation, not one per statement); it frees what
        // it holds even if reading stops halfway.
        let owner = PostgresResultOwner(capacity: queries.count)
        var outcomes: [Result<PostgresRows, PostgresError>] = []
        outcomes.reserveCapacity(queries.count)
        for index in queries.indices {
            let step = plan.steps[index]
            guard !step.rejected else {
                outcomes.append(.failure(plan.rejections[index]!))
                continue
            }
            if step.prepare {
                // A statement's first use: its PREPARE's result comes first.
                var prepareFailure: PostgresError?
                let prepared = try self.nextPipelineResult(queries[index])
                if PQresultStatus(prepared) == PGRES_COMMAND_OK {
                    plan.prepared(step)
                    PQclear(prepared)
                } else if PQresultStatus(prepared) == PGRES_PIPELINE_ABORTED {
                    // Skipped after an earlier failure (one sync): its execution says so.
                    PQclear(prepared)
                } else {
                    prepareFailure = PostgresError.from(result: prepared, connection: self.handle, sql: queries[index].sql, binds: queries[index].binds)
                    PQclear(prepared)
                }
                try self.expectEndOfCommand(queries[index])
                outcomes.append(try self.receiveExecution(queries, index, owner, prepareFailure: prepareFailure, synced: syncs(after: index)))
            } else {
                outcomes.append(try self.receiveExecution(queries, index, owner, prepareFailure: nil, synced: syncs(after: index)))
            }
        }
        return outcomes
    }

    /// The outcome of the statement at `index` (after its PREPARE's result, if any), then its
    /// sync if one followed it. A statement prepared in this pipeline reports its PREPARE's
    /// failure, if any. (`prepareFailure` is borrowed: no copy and destroy of a
    /// `PostgresError?` per statement.)
    @inline(__always)
    private func receiveExecution(
        _ queries: [PostgresQuery], _ index: Int, _ owner: PostgresResultOwner, prepareFailure: borrowing PostgresError?, synced: Bool
    ) throws -> Result<PostgresRows, PostgresError> {
        let raw = try self.nextPipelineResult(queries[index])
        let outcome: Result<PostgresRows, PostgresError>
        switch PQresultStatus(raw) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
            owner.adopt(raw, at: index)
            outcome = .success(PostgresRows(result: PostgresResult(raw, owner: owner)))
        default:
            outcome = .failure(self.executionFailure(raw, queries[index], prepareFailure: copy prepareFailure))
        }
        try self.endOfStatement(queries, index, synced: synced)
        return outcome
    }

    /// The error for a statement that did not run (frees `raw`).
    private func executionFailure(_ raw: OpaquePointer, _ query: PostgresQuery, prepareFailure: PostgresError?) -> PostgresError {
        defer { PQclear(raw) }
        if PQresultStatus(raw) == PGRES_PIPELINE_ABORTED {
            return prepareFailure ?? PostgresError.unexpected("statement skipped: the pipeline was aborted", sql: query.sql)
        }
        return prepareFailure ?? PostgresError.from(result: raw, connection: self.handle, sql: query.sql, binds: query.binds)
    }

    /// No more results for this statement, then its sync if one followed it.
    @inline(__always)
    private func endOfStatement(_ queries: [PostgresQuery], _ index: Int, synced: Bool) throws {
        try self.expectEndOfCommand(queries[index])
        guard synced else { return }
        let sync = try self.nextPipelineResult(queries[index])
        let isSync = PQresultStatus(sync) == PGRES_PIPELINE_SYNC
        PQclear(sync)
        guard isSync else { throw self.lostPlace("expected a sync", queries[index]) }
    }

    @inline(__always)
    private func checkSent(_ status: Int32, _ query: @autoclosure () -> PostgresQuery) throws {
        guard status == 1 else { throw self.sendFailure(query()) }
    }

    private func sendFailure(_ query: PostgresQuery) -> PostgresError {
        PostgresError.from(result: nil, connection: self.handle, sql: query.sql, binds: nil)
    }

    /// The next result (blocking: the connection is in blocking mode while results are read).
    @inline(__always)
    private func nextPipelineResult(_ query: @autoclosure () -> PostgresQuery) throws -> OpaquePointer {
        guard let result = PQgetResult(self.handle) else { throw self.lostPlace("missing result", query()) }
        return result
    }

    @inline(__always)
    private func expectEndOfCommand(_ query: @autoclosure () -> PostgresQuery) throws {
        if let extra = PQgetResult(self.handle) {
            PQclear(extra)
            throw self.lostPlace("extra result", query())
        }
    }

    /// A connection failure if the connection broke (libpq reports it as results that do not
    /// follow the pipeline), otherwise the pipeline's own confusion.
    private func lostPlace(_ what: String, _ query: PostgresQuery) -> PostgresError {
        self.isBroken
            ? PostgresError.from(result: nil, connection: self.handle, sql: query.sql, binds: nil)
            : PostgresError.unexpected("pipeline lost its place: \(what)", sql: query.sql)
    }

    /// Sends what libpq still buffers, waiting for the socket to take it and reading meanwhile
    /// (the server may be blocked writing results for the statements it already has).
    private func flushPipeline(_ query: PostgresQuery) throws {
        while true {
            let flush = PQflush(self.handle)
            guard flush >= 0 else { throw PostgresError.from(result: nil, connection: self.handle, sql: query.sql, binds: nil) }
            guard flush == 1 else { return }
            var descriptor = pollfd(fd: PQsocket(self.handle), events: Int16(POLLIN) | Int16(POLLOUT), revents: 0)
            guard poll(&descriptor, 1, -1) >= 0 || errno == EINTR else {
                throw PostgresError.connection("poll failed: \(String(cString: strerror(errno)))", sql: query.sql)
            }
            guard PQconsumeInput(self.handle) == 1 else {
                throw PostgresError.from(result: nil, connection: self.handle, sql: query.sql, binds: nil)
            }
        }
    }
}

/// Where a pipeline's transactions end: a sync ends the implicit transaction of the statements
/// before it, and a statement that fails makes the server skip everything up to the next sync.
public enum PipelineSync: Sendable {
    /// A sync after each statement: outside a transaction the statements are independent, and
    /// one failing does not undo or skip the others. (TechEmpower's rule for its queries test.)
    case afterEach
    /// One sync after the last statement: the statements are one transaction, so a failure
    /// undoes the writes before it and skips the statements after it (each then fails with
    /// "statement skipped"). One send instead of one per statement, and one transaction for
    /// PostgreSQL to start and end: the pages' and the API's reads (docs/decisions/0016).
    case once
}

/// What a pipeline sends: for each valid query its statement name, and whether it must be
/// prepared first (in the same round trip). Invalid queries are answered without being sent.
///
/// A query with the same SQL text and bind types as the one before it (a batch of one
/// statement) reuses its name without another cache lookup; the cache is consulted, and the
/// statement's types copied, only when the statement changes.
private struct PipelinePlan {
    struct Step {
        /// The statement's name, NUL-terminated ("" for the unnamed statement).
        var name: ContiguousArray<CChar>
        var prepare: Bool
        var rejected: Bool
        /// Where this step's statement is in `newStatements` (-1: already cached, or unnamed).
        var newStatement: Int
    }

    /// A statement this pipeline prepares, and whether the server accepted it.
    struct NewStatement {
        var sql: [UInt8]
        var types: [UInt32]
        var name: ContiguousArray<CChar>
        var prepared = false
    }

    struct Key: Hashable {
        var sql: [UInt8]
        var types: [UInt32]
    }

    private(set) var steps: [Step] = []
    /// Statements first seen in this pipeline, by SQL text and types (index in `newStatements`).
    private var pending: [Key: Int] = [:]
    private(set) var rejections: [Int: PostgresError] = [:]
    private(set) var newStatements: [NewStatement] = []

    init(queries: [PostgresQuery], connection: PostgresConnection) {
        self.steps.reserveCapacity(queries.count)
        let named = connection.usesNamedStatements
        var previous = -1  // the last valid query, whose statement the next one may share
        for index in queries.indices {
            let query = queries[index]
            do {
                try query.validate()
            } catch {
                self.rejections[index] = (error as! PostgresError)
                self.steps.append(Step(name: [], prepare: false, rejected: true, newStatement: -1))
                continue
            }
            guard named else {
                // No named statements (a pooler cannot carry them): the unnamed one, each time.
                self.steps.append(Step(name: [0], prepare: true, rejected: false, newStatement: -1))
                continue
            }
            defer { previous = index }
            if previous >= 0 && query.hasSameStatement(as: queries[previous]) {
                let shared = self.steps[previous]
                self.steps.append(Step(name: shared.name, prepare: false, rejected: false, newStatement: -1))
                continue
            }
            if let name = connection.statements.lookup(query) {
                self.steps.append(Step(name: name, prepare: false, rejected: false, newStatement: -1))
                continue
            }
            let key = Key(sql: query.sqlBytes, types: query.binds.types)
            if let pending = self.pending[key] {
                self.steps.append(Step(name: self.newStatements[pending].name, prepare: false, rejected: false, newStatement: -1))
            } else {
                let name = connection.statements.nextName()
                self.pending[key] = self.newStatements.count
                self.newStatements.append(NewStatement(sql: key.sql, types: key.types, name: name))
                self.steps.append(Step(name: name, prepare: true, rejected: false, newStatement: self.newStatements.count - 1))
            }
        }
    }

    mutating func prepared(_ step: Step) {
        if step.newStatement >= 0 { self.newStatements[step.newStatement].prepared = true }
    }
}
