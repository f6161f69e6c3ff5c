/// A Swift value that can be sent to PostgreSQL as a bind parameter.
///
/// Values travel in binary format with an explicit type OID, so `WHERE id = \(id)` compares an
/// `int8` and a text value is never parsed as something else. `encodeText` is the textual form,
/// used by COPY … FROM STDIN.
public protocol PostgresEncodable {
    /// The PostgreSQL type sent with the value (and with NULL, for `Optional`).
    static var postgresType: PostgresDataType { get }

    /// Appends the value in PostgreSQL's binary wire format.
    func encode(into buffer: inout [UInt8]) throws

    /// Appends the value in PostgreSQL's text input format, unescaped.
    func encodeText(into buffer: inout [UInt8]) throws

    /// True when the value is SQL NULL (`Optional.none`).
    var isNull: Bool { get }
}

extension PostgresEncodable {
    public var isNull: Bool { false }
}

/// A type that can also be sent as the element of a one-dimensional array (`[Int]` → `int8[]`).
public protocol PostgresArrayEncodable: PostgresEncodable {
    static var postgresArrayType: PostgresDataType { get }
}

// MARK: - Byte helpers

extension Array where Element == UInt8 {
    @inlinable
    mutating func appendBigEndian<I: FixedWidthInteger>(_ value: I) {
        // Byte by byte: specialized and unrolled, cheaper than appending a raw buffer.
        var shift = I.bitWidth - 8
        while shift >= 0 {
            self.append(UInt8(truncatingIfNeeded: value >> shift))
            shift -= 8
        }
    }

    @inline(__always)
    mutating func appendASCII(_ text: StaticString) {
        text.withUTF8Buffer { self.append(contentsOf: $0) }
    }

    mutating func appendDecimal<I: BinaryInteger>(_ value: I) {
        self.append(contentsOf: String(value).utf8)
    }
}

// MARK: - Optional

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresDataType { Wrapped.postgresType }

    public var isNull: Bool { self == nil }

    public func encode(into buffer: inout [UInt8]) throws {
        try self?.encode(into: &buffer)
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        try self?.encodeText(into: &buffer)
    }
}
