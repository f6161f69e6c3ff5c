import Foundation
import Web

extension JSON {
    /// `JSON.encoder()` with sorted keys. Foundation's encoder writes an object's keys in an
    /// order that changes from one encode to the next; sorted, the same value always becomes
    /// the same bytes, which a strong ETag and a replayed Idempotency-Key answer rely on.
    static func stableEncoder() -> JSONEncoder {
        let encoder = JSON.encoder()
        encoder.outputFormatting.insert(.sortedKeys)
        return encoder
    }
}

extension Response {
    /// A JSON response whose bytes depend only on `value` (keys sorted).
    static func stableJSON<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: Array(try JSON.stableEncoder().encode(value)))
    }
}
