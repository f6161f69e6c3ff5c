import Web

/// How messaging refusals look over HTTP, DRF-style.
extension MessagingError: HTTPResponseError {
    var status: HTTPStatus {
        switch kind {
        case .notFound, .invalidPage, .invalidCursor: .notFound
        case .forbidden: .forbidden
        case .invalid: .badRequest
        case .idempotencyKeyReused: .unprocessableContent
        case .rateLimited: .tooManyRequests
        }
    }

    var publicMessage: String {
        rateLimit?.throttledError.publicMessage ?? message
    }

    var headers: HTTPHeaders {
        rateLimit?.throttledError.headers ?? HTTPHeaders()
    }

    var fieldErrors: [String: [String]]? { fields }
}
