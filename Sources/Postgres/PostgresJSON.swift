import FoundationEssentials

/// A `Codable` value stored as `jsonb`: `INSERT … VALUES (\(PostgresJSON(preferences)))`, and
/// `row.decode(PostgresJSON<Preferences>.self, column: "preferences").value`.
///
/// Encoded with a default `JSONEncoder` (dates as Foundation's reference-date seconds); decoding
/// accepts `json` and `jsonb` columns. Conform a type to `PostgresJSONCodable` to skip the wrapper.
public struct PostgresJSON<Value> {
    public var value: Value

    public init(_ value: Value) {
        self.value = value
    }
}

extension PostgresJSON: Sendable where Value: Sendable {}
extension PostgresJSON: Equatable where Value: Equatable {}

extension PostgresJSON: PostgresEncodable, PostgresArrayEncodable where Value: Encodable {
    public static var postgresType: PostgresDataType { .jsonb }
    public static var postgresArrayType: PostgresDataType { .jsonbArray }

    public func encode(into buffer: inout [UInt8]) throws {
        buffer.append(1)  // jsonb binary format version
        try self.encodeText(into: &buffer)
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        do {
            // Foundation's encoder, not Web's JSONWriter: Postgres sits below Web and does not
            // depend on it, and the server parses jsonb anyway, so the bytes need not be the writer's.
            buffer.append(contentsOf: try JSONEncoder().encode(self.value))
        } catch {
            throw PostgresError.encoding("cannot encode \(Value.self) as JSON: \(error)")
        }
    }
}

extension PostgresJSON: PostgresDecodable where Value: Decodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        self.init(try PostgresJSON.decodeJSON(Value.self, bytes: bytes, type: type))
    }

    static func decodeJSON<T: Decodable>(_: T.Type, bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws -> T {
        var body = bytes
        switch type {
        case .jsonb:
            guard body.first == 1 else { throw PostgresDecodingFailure("unsupported jsonb format version") }
            body = UnsafeRawBufferPointer(rebasing: body.dropFirst())
        case .json, .text, .varchar, .unknown:
            break
        default:
            throw PostgresDecodingFailure.typeMismatch
        }
        return try JSONDecoder().decode(T.self, from: Data(body))
    }
}

/// A `Codable` type that travels as `jsonb` without a wrapper: `extension Settings: PostgresJSONCodable {}`.
public protocol PostgresJSONCodable: Codable, PostgresEncodable, PostgresDecodable {}

extension PostgresJSONCodable {
    public static var postgresType: PostgresDataType { .jsonb }

    public func encode(into buffer: inout [UInt8]) throws {
        try PostgresJSON(self).encode(into: &buffer)
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        try PostgresJSON(self).encodeText(into: &buffer)
    }

    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        self = try PostgresJSON<Self>.decodeJSON(Self.self, bytes: bytes, type: type)
    }
}
