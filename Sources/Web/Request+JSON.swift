import FoundationEssentials

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
