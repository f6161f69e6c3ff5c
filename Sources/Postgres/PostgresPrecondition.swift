/// A read-only statement whose answer decides whether anything else a request reads may be
/// used: an access token's user check, which a read can carry in its own round trip instead of
/// one of its own (issue 12).
///
/// `PostgresDatabase.setPrecondition` holds it. Inside `read`, the next `query` or `pipeline`
/// sends it first, in the same pipeline, and calls `verify` on its rows before returning
/// anything; `write` and `transaction` settle it alone first, so nothing is ever written
/// behind a check that has not passed. Whoever sets one settles or clears it before the
/// request's answer leaves (`settlePrecondition`, `setPrecondition(nil)`).
public struct PostgresPrecondition {
    public let query: PostgresQuery
    /// Throws to refuse: the statements that rode with it are then not returned.
    public let verify: (PostgresRows) throws -> Void

    public init(query: PostgresQuery, verify: @escaping (PostgresRows) throws -> Void) {
        self.query = query
        self.verify = verify
    }
}

extension PostgresConnection {
    /// Runs the pending precondition alone, if there is one, and verifies it. If the connection
    /// breaks before its answer arrives, it stays pending (a read's retry carries it again).
    func settlePrecondition() throws {
        guard let precondition = self.precondition else { return }
        self.precondition = nil
        let rows: PostgresRows
        do {
            rows = try self.query(precondition.query)
        } catch where self.isBroken {
            self.precondition = precondition
            throw error
        }
        try precondition.verify(rows)
    }

    /// `queries` in one pipeline behind the pending precondition, which is verified before
    /// any of their outcomes is returned.
    func pipelineBehindPrecondition(
        _ precondition: PostgresPrecondition, _ queries: [PostgresQuery], sync: PipelineSync
    ) throws -> [Result<PostgresRows, PostgresError>] {
        self.precondition = nil
        var all: [PostgresQuery] = []
        all.reserveCapacity(queries.count + 1)
        all.append(precondition.query)
        all.append(contentsOf: queries)
        var outcomes: [Result<PostgresRows, PostgresError>]
        do {
            // The slow log names the request's own first statement, not the check.
            outcomes = try self.sendPipeline(all, reporting: 1, sync: sync)
        } catch where self.isBroken {
            self.precondition = precondition
            throw error
        }
        try precondition.verify(outcomes[0].get())
        outcomes.removeFirst()
        return outcomes
    }
}
