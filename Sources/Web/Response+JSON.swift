extension Response {
    /// A JSON response encoded from `value` (`application/json`) by ``JSON/encode(_:)``.
    public static func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: try JSON.encode(value))
    }
}
