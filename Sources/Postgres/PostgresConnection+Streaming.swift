import CLibPQ

extension PostgresConnection {
    /// Runs a query and hands its rows to `body` one at a time as they arrive (libpq's
    /// single-row mode), so a large result is never held in memory whole. Returns the number
    /// of rows delivered.
    ///
    /// A row is only valid as long as `body` keeps it. If `body` throws, the query is cancelled,
    /// the rest of the result discarded, and the error rethrown.
    @discardableResult
    public func forEachRow(_ query: PostgresQuery, _ body: (PostgresRow) throws -> Void) throws -> Int {
        try query.validate()
        let start = ContinuousClock.now
        do {
            let count = try self.stream(query, body)
            self.logStatement(query.sql, start: start, rows: count)
            return count
        } catch {
            self.logStatement(query.sql, start: start, error: error)
            throw error
        }
    }

    private func stream(_ query: PostgresQuery, _ body: (PostgresRow) throws -> Void) throws -> Int {
        let sent: Int32
        if self.usesNamedStatements {
            let name = try self.preparedStatement(for: query)
            sent = name.withUnsafeBufferPointer { name in
                query.binds.withLibpqParameters { count, values, lengths, formats, _ in
                    PQsendQueryPrepared(self.handle, name.baseAddress, count, values, lengths, formats, 1)
                }
            }
        } else {
            sent = query.withSQL { sql in
                query.binds.withLibpqParameters { count, values, lengths, formats, types in
                    PQsendQueryParams(self.handle, sql, count, types, values, lengths, formats, 1)
                }
            }
        }
        guard sent == 1 else {
            throw PostgresError.from(result: nil, connection: self.handle, sql: query.sql, binds: nil)
        }
        self.observer?.roundTrip(statements: 1)
        guard PQsetSingleRowMode(self.handle) == 1 else {
            while let result = PQgetResult(self.handle) { PQclear(result) }
            throw PostgresError.unexpected("libpq refused single-row mode", sql: query.sql)
        }

        var delivered = 0
        var bodyError: (any Error)?
        var serverError: PostgresError?
        while let raw = PQgetResult(self.handle) {
            switch PQresultStatus(raw) {
            case PGRES_SINGLE_TUPLE:
                guard bodyError == nil else {
                    PQclear(raw)
                    continue
                }
                let result = PostgresResult(raw)
                do {
                    try body(PostgresRow(result: result, index: 0))
                    delivered += 1
                } catch {
                    bodyError = error
                    self.cancelCurrentQuery()
                }
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                PQclear(raw)
            default:
                if serverError == nil {
                    serverError = PostgresError.from(result: raw, connection: self.handle, sql: query.sql, binds: query.binds)
                }
                PQclear(raw)
            }
        }
        if let bodyError { throw bodyError }
        if let serverError { throw serverError }
        if self.isBroken {
            throw PostgresError.from(result: nil, connection: self.handle, sql: query.sql, binds: nil)
        }
        return delivered
    }

    /// Asks the server to cancel the running statement (it answers with 57014).
    func cancelCurrentQuery() {
        guard let cancel = PQgetCancel(self.handle) else { return }
        defer { PQfreeCancel(cancel) }
        var message = [CChar](repeating: 0, count: 256)
        if PQcancel(cancel, &message, Int32(message.count)) == 0 {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            self.logger.debug("could not cancel query", metadata: ["error": "\(text)"])
        }
    }
}
