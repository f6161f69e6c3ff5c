/// A response as it was first sent — status code and body bytes — kept so that a request
/// repeated with the same `Idempotency-Key` gets exactly the same answer. A plain value, so the
/// services that store it stay free of HTTP types.
struct StoredResponse: Sendable, Equatable {
    var status: Int
    var body: [UInt8]
}
