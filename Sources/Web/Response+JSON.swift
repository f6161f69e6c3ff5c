extension Response {
    /// A JSON response encoded from `value` (`application/json`) by ``JSON/encode(_:)``.
    public static func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: try JSON.encode(value))
    }

    /// The same for values that write their own members (``JSON/encode(_:)-(T)``), found at
    /// compile time.
    public static func json<T: JSONObjectWritable>(_ value: T, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: JSON.encode(value))
    }

    public static func json<T: JSONObjectWritable>(_ values: [T], status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: JSON.encode(values))
    }
}
