import CLibPQ
import Foundation

extension PostgresConnection {
    /// Sends every query at once in pipeline mode (one round trip) and returns their outcomes
    /// in order.
    ///
    /// Each statement is followed by its own sync, so outside a transaction the statements are
    /// independent: one failing (reported at its index) does not undo or skip the others.
    /// Inside `withTransaction`, a failure aborts the transaction and the statements after it
    /// fail with `inFailedSqlTransaction`. Throws only when the connection fails.
    public func pipeline(_ queries: [PostgresQuery]) throws -> [Result<PostgresRows, PostgresError>] {
        guard !queries.isEmpty else { return [] }
        let start = ContinuousClock.now
        var plan = PipelinePlan(queries: queries, connection: self)
        do {
            let outcomes = try self.runPipeline(&plan)
            for (key, name) in plan.newStatements {
                if let evicted = self.statements.insert(sql: key.sql, types: key.types, name: name) {
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

    private func runPipeline(_ plan: inout PipelinePlan) throws -> [Result<PostgresRows, PostgresError>] {
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

        // Send everything; in non-blocking mode libpq buffers what the socket cannot take yet.
        for step in plan.steps {
            guard case .send(let index, let name, let prepare) = step else { continue }
            let query = plan.queries[index]
            if prepare {
                let sent = query.withSQL { sql in
                    query.binds.types.withUnsafeBufferPointer { types in
                        PQsendPrepare(self.handle, name, sql, Int32(types.count), types.baseAddress)
                    }
                }
                try self.checkSent(sent, query)
            }
            let sent = query.binds.withLibpqParameters { count, values, lengths, formats, _ in
                PQsendQueryPrepared(self.handle, name, count, values, lengths, formats, 1)
            }
            try self.checkSent(sent, query)
            try self.checkSent(PQpipelineSync(self.handle), query)
        }

        var outcomes = plan.rejected
        for step in plan.steps {
            guard case .send(let index, let name, let prepare) = step else { continue }
            let query = plan.queries[index]
            var failure: PostgresError?
            if prepare {
                let prepared = try self.nextPipelineResult(query)
                if PQresultStatus(prepared) == PGRES_COMMAND_OK {
                    plan.prepared(index: index, name: name)
                    PQclear(prepared)
                } else {
                    failure = PostgresError.from(result: prepared, connection: self.handle, sql: query.sql, binds: query.binds)
                    PQclear(prepared)
                }
                try self.expectEndOfCommand(query)
            }
            let raw = try self.nextPipelineResult(query)
            switch PQresultStatus(raw) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                outcomes[index] = .success(PostgresRows(result: PostgresResult(raw)))
            case PGRES_PIPELINE_ABORTED:
                PQclear(raw)
                outcomes[index] = .failure(
                    failure ?? PostgresError.unexpected("statement skipped: the pipeline was aborted", sql: query.sql))
            default:
                outcomes[index] = .failure(
                    failure ?? PostgresError.from(result: raw, connection: self.handle, sql: query.sql, binds: query.binds))
                PQclear(raw)
            }
            try self.expectEndOfCommand(query)
            let sync = try self.nextPipelineResult(query)
            let synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC
            PQclear(sync)
            guard synced else { throw PostgresError.unexpected("pipeline lost its place: expected a sync", sql: query.sql) }
        }
        return outcomes.map { $0! }
    }

    private func checkSent(_ status: Int32, _ query: PostgresQuery) throws {
        guard status == 1 else {
            throw PostgresError.from(result: nil, connection: self.handle, sql: query.sql, binds: nil)
        }
    }

    /// The next result, waiting on the socket (and flushing what is left to send) while libpq is busy.
    private func nextPipelineResult(_ query: PostgresQuery) throws -> OpaquePointer {
        try self.waitUntilReadable(query)
        guard let result = PQgetResult(self.handle) else {
            throw self.isBroken
                ? PostgresError.from(result: nil, connection: self.handle, sql: query.sql, binds: nil)
                : PostgresError.unexpected("pipeline lost its place: missing result", sql: query.sql)
        }
        return result
    }

    private func expectEndOfCommand(_ query: PostgresQuery) throws {
        try self.waitUntilReadable(query)
        if let extra = PQgetResult(self.handle) {
            PQclear(extra)
            throw PostgresError.unexpected("pipeline lost its place: extra result", sql: query.sql)
        }
    }

    private func waitUntilReadable(_ query: PostgresQuery) throws {
        while PQisBusy(self.handle) == 1 {
            let flush = PQflush(self.handle)
            guard flush >= 0 else { throw PostgresError.from(result: nil, connection: self.handle, sql: query.sql, binds: nil) }
            var descriptor = pollfd(
                fd: PQsocket(self.handle), events: Int16(POLLIN) | (flush == 1 ? Int16(POLLOUT) : 0), revents: 0)
            guard poll(&descriptor, 1, -1) >= 0 || errno == EINTR else {
                throw PostgresError.connection("poll failed: \(String(cString: strerror(errno)))", sql: query.sql)
            }
            guard PQconsumeInput(self.handle) == 1 else {
                throw PostgresError.from(result: nil, connection: self.handle, sql: query.sql, binds: nil)
            }
        }
    }
}

/// What a pipeline sends: for each valid query its statement name, and whether it must be
/// prepared first (in the same round trip). Invalid queries are answered without being sent.
private struct PipelinePlan {
    enum Step {
        case send(index: Int, name: String, prepare: Bool)
        case rejected
    }

    let queries: [PostgresQuery]
    var steps: [Step] = []
    var rejected: [Result<PostgresRows, PostgresError>?]
    struct Key: Hashable {
        var sql: [UInt8]
        var types: [UInt32]
    }

    var newStatements: [(Key, String)] = []
    private var pending: [Key: String] = [:]
    private var keys: [Int: Key] = [:]

    init(queries: [PostgresQuery], connection: PostgresConnection) {
        self.queries = queries
        self.rejected = Array(repeating: nil, count: queries.count)
        for (index, query) in queries.enumerated() {
            do {
                try query.validate()
            } catch {
                self.rejected[index] = .failure(error as! PostgresError)
                self.steps.append(.rejected)
                continue
            }
            guard connection.statements.isEnabled else {
                // No named statements (a pooler cannot carry them): the unnamed one, each time.
                self.steps.append(.send(index: index, name: "", prepare: true))
                continue
            }
            let key = Key(sql: query.sqlBytes, types: query.binds.types)
            let cached = connection.statements.lookup(query)
                .map { $0.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
            if let name = cached ?? self.pending[key] {
                self.steps.append(.send(index: index, name: name, prepare: false))
            } else {
                let name = connection.statements.nextName()
                self.pending[key] = name
                self.keys[index] = key
                self.steps.append(.send(index: index, name: name, prepare: true))
            }
        }
    }

    mutating func prepared(index: Int, name: String) {
        if let key = self.keys[index] { self.newStatements.append((key, name)) }
    }
}
