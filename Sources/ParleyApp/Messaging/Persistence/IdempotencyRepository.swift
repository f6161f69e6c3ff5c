import FoundationEssentials

/// idempotency_keys. Records expire after ``lifetime``; an expired one counts as absent.
protocol IdempotencyRepository {
    /// The live record for (user, key), if any.
    func find(userID: UUID, key: String) throws -> IdempotencyRecord?

    /// Claims (user, key) for this transaction, replacing an expired record. Returns false
    /// when a live record exists — committed by another request, which this call waited for
    /// if it was still in flight.
    func claim(userID: UUID, key: String, fingerprint: String) throws -> Bool

    /// Stores the response of a claimed key.
    func complete(userID: UUID, key: String, response: StoredResponse) throws

    /// Deletes up to `limit` expired records.
    @discardableResult
    func purgeExpired(limit: Int) throws -> Int
}

enum Idempotency {
    /// How long a key's first answer is replayed.
    static let lifetime: TimeInterval = 24 * 60 * 60
}
