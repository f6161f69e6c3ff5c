/// Reads the fields of a composite value (`ROW(a, b, …)`, type `record`) in binary format, in
/// order: a field count, then per field its type, its length (-1 for NULL) and its bytes.
/// A type whose values are rows conforms to ``PostgresDecodable`` with it, and an array of
/// rows (`array_agg(ROW(…) ORDER BY …)`) then decodes as `[ThatType]`.
///
///     var fields = try PostgresRecordReader(bytes, type: type)
///     self.init(id: try fields.next(UUID.self), name: try fields.next(String.self))
public struct PostgresRecordReader {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var offset = 4
    @usableFromInline var remaining: Int

    /// `bytes` must outlive the reader (it is only valid inside `PostgresDecodable.init`).
    public init(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        guard type == .record || type.rawValue >= PostgresDataType.firstUserDefined else {
            throw PostgresDecodingFailure.typeMismatch
        }
        self.bytes = bytes
        let count = try bytes.readBigEndian(Int32.self, at: 0)
        guard count >= 0 else { throw PostgresDecodingFailure("record has \(count) fields") }
        self.remaining = Int(count)
    }

    /// The fields not read yet.
    @inlinable
    public var count: Int { remaining }

    /// The next field as `T`; NULL only where `T` takes it (an optional).
    @inlinable
    public mutating func next<T: PostgresDecodable>(_: T.Type) throws -> T {
        guard remaining > 0 else { throw PostgresDecodingFailure("record has fewer fields than read") }
        let type = PostgresDataType(try bytes.readBigEndian(UInt32.self, at: offset))
        let length = Int(try bytes.readBigEndian(Int32.self, at: offset + 4))
        offset += 8
        remaining -= 1
        if length < 0 {
            guard let null = T.postgresNull else { throw PostgresDecodingFailure("record field is NULL") }
            return null
        }
        guard length <= bytes.count - offset else { throw PostgresDecodingFailure("record is truncated") }
        defer { offset += length }
        return try T(postgresBytes: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), type: type)
    }
}

extension PostgresDataType {
    /// An anonymous composite, `ROW(…)`; its array type is `record[]` (2287).
    public static let record = Self(2249)
}
