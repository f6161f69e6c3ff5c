import Foundation

/// JSON in and out. Dates are ISO 8601 with fractional seconds and a time zone.
public enum JSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.string(from: date))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "Expected an ISO 8601 date with a time zone.")
            }
            return date
        }
        return decoder
    }
}

/// ISO 8601 timestamps (`2026-11-26T07:45:28.123456Z`), parsed with or without fractional seconds.
public enum ISO8601 {
    public static func string(from date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    public static func date(from string: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: string) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: string)
    }
}

extension Request {
    /// Decodes the JSON body. Malformed JSON, bytes that are not UTF-8, or a body of the wrong
    /// shape are a 400 with a message that says which; never a 500.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws(HTTPError) -> T {
        guard !body.isEmpty else { throw HTTPError(.badRequest, "JSON parse error - request body is empty.") }
        guard String(validating: body, as: UTF8.self) != nil else {
            throw HTTPError(.badRequest, "JSON parse error - request body is not valid UTF-8.")
        }
        do {
            return try JSON.decoder().decode(T.self, from: Data(body))
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw HTTPError(.badRequest, "JSON parse error - malformed JSON.")
        } catch let DecodingError.keyNotFound(key, context) {
            throw .validation([Request.fieldName(context.codingPath + [key]): ["This field is required."]])
        } catch let DecodingError.typeMismatch(_, context) {
            throw Request.fieldError(context, "Incorrect type.")
        } catch let DecodingError.valueNotFound(_, context) {
            throw Request.fieldError(context, "This field may not be null.")
        } catch let DecodingError.dataCorrupted(context) {
            throw Request.fieldError(context, context.debugDescription)
        } catch {
            throw HTTPError(.badRequest, "JSON parse error - malformed JSON.")
        }
    }

    private static func fieldError(_ context: DecodingError.Context, _ message: String) -> HTTPError {
        let field = fieldName(context.codingPath)
        if field.isEmpty { return HTTPError(.badRequest, "JSON parse error - \(message)") }
        return .validation([field: [message]])
    }

    /// `address.city`, `tags.1`: the path to the offending value, as the client spelled it.
    private static func fieldName(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

extension Response {
    /// A JSON response encoded from `value` (`application/json`).
    public static func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> Response {
        let data = try JSON.encoder().encode(value)
        return Response(status: status, headers: ["Content-Type": "application/json"], body: Array(data))
    }
}
