/// A Swift type that can be built from a column value.
///
/// Results arrive in binary format; `type` is the column's type, so one Swift type can accept
/// several PostgreSQL types (`Int` reads int2, int4 and int8).
public protocol PostgresDecodable {
    /// Decodes a non-NULL value. The bytes are only valid during the call.
    init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws

    /// The value SQL NULL decodes to; `nil` (the default) makes NULL a decoding error.
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

/// Why a value could not be decoded; `PostgresRow` wraps it into a `PostgresError` of kind
/// `.decoding` that names the column, the Swift type and the PostgreSQL type.
public struct PostgresDecodingFailure: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    /// The column's PostgreSQL type is not one this Swift type reads.
    public static let typeMismatch = PostgresDecodingFailure("type mismatch")

    public var description: String { self.reason }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        self = .some(try Wrapped(postgresBytes: bytes, type: type))
    }

    public static var postgresNull: Self? { .some(.none) }
}

// MARK: - Reading helpers

extension UnsafeRawBufferPointer {
    @inlinable
    func readBigEndian<I: FixedWidthInteger>(_: I.Type, at offset: Int = 0) throws -> I {
        guard offset >= 0, offset + MemoryLayout<I>.size <= self.count else {
            throw PostgresDecodingFailure("value is \(self.count) bytes, too short for \(I.self)")
        }
        return I(bigEndian: self.loadUnaligned(fromByteOffset: offset, as: I.self))
    }

    @inlinable
    func requireLength(_ length: Int) throws {
        guard self.count == length else {
            throw PostgresDecodingFailure("expected \(length) bytes, got \(self.count)")
        }
    }
}

/// The common cases of `decodeInteger`, read in place without its switch: an int8 or int4
/// value of the right length; `nil` for anything else (which `decodeInteger` then handles).
@inlinable
func readInt8OrInt4(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) -> Int64? {
    if type.rawValue == PostgresDataType.int8OID && bytes.count == 8 {
        return Int64(bigEndian: bytes.loadUnaligned(as: Int64.self))
    }
    if type.rawValue == PostgresDataType.int4OID && bytes.count == 4 {
        return Int64(Int32(bigEndian: bytes.loadUnaligned(as: Int32.self)))
    }
    return nil
}

/// Reads any PostgreSQL integer column as Int64.
@inlinable
func decodeInteger(_ bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws -> Int64 {
    switch type {
    case .int2:
        try bytes.requireLength(2)
        return Int64(try bytes.readBigEndian(Int16.self))
    case .int4:
        try bytes.requireLength(4)
        return Int64(try bytes.readBigEndian(Int32.self))
    case .int8:
        try bytes.requireLength(8)
        return try bytes.readBigEndian(Int64.self)
    case .oid:
        try bytes.requireLength(4)
        return Int64(try bytes.readBigEndian(UInt32.self))
    case .numeric:
        return try decodeNumericInteger(bytes)
    default:
        throw PostgresDecodingFailure.typeMismatch
    }
}

@usableFromInline
func decodeNumericInteger(_ bytes: UnsafeRawBufferPointer) throws -> Int64 {
    try PostgresNumeric.integer(bytes)
}

@inlinable
func narrow<I: FixedWidthInteger>(_ value: Int64, to _: I.Type) throws -> I {
    guard let narrowed = I(exactly: value) else {
        throw PostgresDecodingFailure("value does not fit in \(I.self)")
    }
    return narrowed
}
