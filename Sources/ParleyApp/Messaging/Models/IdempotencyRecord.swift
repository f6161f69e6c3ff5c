/// A stored first answer to an `Idempotency-Key`.
struct IdempotencyRecord: Sendable, Equatable {
    var fingerprint: String
    var response: StoredResponse
}
