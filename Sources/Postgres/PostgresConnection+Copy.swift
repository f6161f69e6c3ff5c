import CLibPQ

extension PostgresConnection {
    /// Bulk-loads rows with `COPY table (columns) FROM STDIN` (text format) and returns the
    /// number of rows loaded.
    ///
    ///     try connection.copyFrom(table: "users", columns: ["id", "email"]) { writer in
    ///         for user in users { try writer.appendRow(user.id, user.email) }
    ///     }
    ///
    /// Table, schema and column names are quoted as identifiers. If `body` throws, the COPY is
    /// aborted (nothing is loaded) and the error rethrown.
    @discardableResult
    public func copyFrom(
        table: String, schema: String? = nil, columns: [String], _ body: (inout PostgresCopyWriter) throws -> Void
    ) throws -> Int {
        let target = (schema.map { PostgresQuery.quoteIdentifier($0) + "." } ?? "") + PostgresQuery.quoteIdentifier(table)
        let columnList = columns.map(PostgresQuery.quoteIdentifier).joined(separator: ", ")
        let sql = "COPY \(target) (\(columnList)) FROM STDIN"
        let start = ContinuousClock.now
        do {
            let count = try self.copy(sql: sql, columnCount: columns.count, body)
            self.logStatement(sql, start: start, rows: count)
            return count
        } catch {
            self.logStatement(sql, start: start, error: error)
            throw error
        }
    }

    private func copy(sql: String, columnCount: Int, _ body: (inout PostgresCopyWriter) throws -> Void) throws -> Int {
        try PostgresQuery(unsafeSQL: sql).validate()
        let started = PQexec(self.handle, sql)
        self.observer?.roundTrip(statements: 1)
        guard let started, PQresultStatus(started) == PGRES_COPY_IN else {
            let error = PostgresError.from(result: started, connection: self.handle, sql: sql, binds: nil)
            if let started { PQclear(started) }
            while let extra = PQgetResult(self.handle) { PQclear(extra) }
            throw error
        }
        PQclear(started)

        var writer = PostgresCopyWriter(connection: self, columnCount: columnCount)
        do {
            try body(&writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(self.handle, "COPY aborted by the client")
            while let result = PQgetResult(self.handle) { PQclear(result) }
            throw error
        }
        guard PQputCopyEnd(self.handle, nil) == 1 else {
            throw PostgresError.from(result: nil, connection: self.handle, sql: sql, binds: nil)
        }
        var outcome: Result<Int, PostgresError> = .failure(.unexpected("COPY returned no result", sql: sql))
        var first = true
        while let raw = PQgetResult(self.handle) {
            if first {
                first = false
                if PQresultStatus(raw) == PGRES_COMMAND_OK {
                    outcome = .success(PostgresResult(raw).affectedRows)
                    continue
                }
                outcome = .failure(PostgresError.from(result: raw, connection: self.handle, sql: sql, binds: nil))
            }
            PQclear(raw)
        }
        return try outcome.get()
    }
}
