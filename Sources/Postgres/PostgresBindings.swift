import CLibPQ
import FoundationEssentials
import Glibc

/// One bind parameter: its type and its binary bytes (`nil` for NULL).
///
/// Equatable so tests can assert what a query sends; its `description` shows the type and size
/// only, never the value.
public struct PostgresBind: Hashable, Sendable, CustomStringConvertible {
    public var type: PostgresDataType
    public var bytes: [UInt8]?

    public init(type: PostgresDataType, bytes: [UInt8]?) {
        self.type = type
        self.bytes = bytes
    }

    /// The bind a value becomes when interpolated into a `PostgresQuery`.
    public init<Value: PostgresEncodable>(_ value: Value) throws {
        self.type = Value.postgresType
        if value.isNull {
            self.bytes = nil
        } else {
            var bytes = [UInt8]()
            try value.encode(into: &bytes)
            self.bytes = bytes
        }
    }

    public static func null(_ type: PostgresDataType) -> PostgresBind {
        PostgresBind(type: type, bytes: nil)
    }

    public var description: String {
        guard let bytes = self.bytes else { return "\(self.type) NULL" }
        return "\(self.type) (\(bytes.count) bytes)"
    }
}

/// The bind parameters of a query, in one buffer that is lent to libpq without copying (one
/// allocation for all of them). A collection of `PostgresBind`.
public struct PostgresBindings: Hashable, Sendable {
    /// Records, one per parameter: type OID (UInt32), length (Int32, -1 for NULL), then the
    /// value's bytes in binary format. Native byte order for the header; it never leaves the process.
    /// Records start at `start`: a query built by interpolation keeps its SQL text in front of
    /// them, in the same buffer (see `PostgresQuery.text`); what comes before is not the binds'.
    @usableFromInline var storage: [UInt8] = []
    @usableFromInline var start = 0
    @usableFromInline var parameterCount = 0
    /// Why the first value that could not be encoded failed; the query is refused when it is
    /// executed, so string interpolation itself never throws. (A string, not the error, to keep
    /// the query small to copy.)
    @usableFromInline var encodingFailure: String?

    @usableFromInline static let headerSize = 8

    public init() {}

    @inlinable
    public init(capacity: Int) {
        self.storage.reserveCapacity(16 * capacity)
    }

    /// Appends a value as the next parameter. Inlinable so the caller's module specializes it
    /// for the concrete type: this runs for every interpolated value.
    @inlinable
    public mutating func append<Value: PostgresEncodable>(_ value: Value) {
        let header = self.storage.count
        self.appendHeader(type: Value.postgresType.rawValue)
        guard !value.isNull else { return }
        let start = self.storage.count
        do {
            try value.encode(into: &self.storage)
        } catch {
            self.recordEncodingFailure(error, valueType: Value.self, start: start)
        }
        let length = Int32(truncatingIfNeeded: self.storage.count - start)
        self.storage.withUnsafeMutableBytes { $0.storeBytes(of: length, toByteOffset: header + 4, as: Int32.self) }
    }

    public mutating func appendNull(_ type: PostgresDataType) {
        self.appendHeader(type: type.rawValue)
    }

    /// Type, and a length of -1 (NULL) until a value follows.
    @inlinable
    mutating func appendHeader(type: UInt32) {
        let header = UInt64(type) | UInt64(UInt32(bitPattern: -1)) << 32
        var shift = 0
        while shift < 64 {  // little-endian, byte by byte (see appendBigEndian)
            self.storage.append(UInt8(truncatingIfNeeded: header >> shift))
            shift += 8
        }
        self.parameterCount += 1
    }

    @usableFromInline
    mutating func recordEncodingFailure(_ error: any Error, valueType: Any.Type, start: Int) {
        self.storage.removeSubrange(start...)
        if self.encodingFailure == nil {
            let reason = (error as? PostgresError)?.message ?? "\(error)"
            self.encodingFailure = "bind $\(self.parameterCount) (\(valueType)): \(reason)"
        }
    }

    /// The error for the value that could not be encoded, if any.
    var encodingError: PostgresError? {
        self.encodingFailure.map { PostgresError.encoding($0) }
    }

    /// Lends the records (the bytes from `start`).
    private func withRecordBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try self.storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[self.start...])) }
    }

    /// Calls `body` with each parameter's type, length (-1 for NULL) and the value's offset in `raw`.
    private func forEachRecord(
        in raw: UnsafeRawBufferPointer, _ body: (_ index: Int, _ type: UInt32, _ length: Int32, _ offset: Int) -> Void
    ) {
        var offset = 0
        for index in 0..<self.parameterCount {
            let header = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let length = Int32(bitPattern: UInt32(truncatingIfNeeded: header >> 32))
            offset += Self.headerSize
            body(index, UInt32(truncatingIfNeeded: header), length, offset)
            offset += Swift.max(0, Int(length))
        }
    }

    private func withRecords(_ body: (_ index: Int, _ type: UInt32, _ length: Int32, _ value: UnsafeRawBufferPointer) -> Void) {
        self.withRecordBytes { raw in
            self.forEachRecord(in: raw) { index, type, length, offset in
                body(index, type, length, UnsafeRawBufferPointer(rebasing: raw[offset..<offset + Swift.max(0, Int(length))]))
            }
        }
    }

    /// The parameter type OIDs, in order.
    var types: [UInt32] {
        var types: [UInt32] = []
        types.reserveCapacity(self.parameterCount)
        self.withRecords { _, type, _, _ in types.append(type) }
        return types
    }

    /// Whether the parameters have exactly these types (without building an array).
    func hasTypes(_ types: [UInt32]) -> Bool {
        guard types.count == self.parameterCount else { return false }
        var same = true
        self.withRecords { index, type, _, _ in same = same && types[index] == type }
        return same
    }

    /// Whether `other` has the same parameter types, in the same order (compared in place).
    func hasSameTypes(as other: PostgresBindings) -> Bool {
        guard self.parameterCount == other.parameterCount else { return false }
        return self.withRecordBytes { mine in
            other.withRecordBytes { theirs in
                var myOffset = 0
                var theirOffset = 0
                for _ in 0..<self.parameterCount {
                    let myHeader = UInt64(littleEndian: mine.loadUnaligned(fromByteOffset: myOffset, as: UInt64.self))
                    let theirHeader = UInt64(littleEndian: theirs.loadUnaligned(fromByteOffset: theirOffset, as: UInt64.self))
                    guard UInt32(truncatingIfNeeded: myHeader) == UInt32(truncatingIfNeeded: theirHeader) else { return false }
                    myOffset += Self.headerSize + Swift.max(0, Int(Int32(bitPattern: UInt32(truncatingIfNeeded: myHeader >> 32))))
                    theirOffset += Self.headerSize + Swift.max(0, Int(Int32(bitPattern: UInt32(truncatingIfNeeded: theirHeader >> 32))))
                }
                return true
            }
        }
    }

    /// Lends libpq the parameter arrays (values, lengths, formats, types) for the duration of `body`.
    func withLibpqParameters<R>(
        _ body: (
            _ count: Int32, _ values: UnsafePointer<UnsafePointer<CChar>?>?, _ lengths: UnsafePointer<Int32>?,
            _ formats: UnsafePointer<Int32>?, _ types: UnsafePointer<Oid>?
        ) throws -> R
    ) rethrows -> R {
        let count = self.parameterCount
        guard count > 0 else { return try body(0, nil, nil, nil, nil) }
        if count == 1 {
            // One parameter (a lookup by id): the arrays are four locals.
            return try self.withRecordBytes { raw in
                let header = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
                var length = Int32(bitPattern: UInt32(truncatingIfNeeded: header >> 32))
                var type = Oid(truncatingIfNeeded: header)
                var format: Int32 = 1  // binary
                var value: UnsafePointer<CChar>? =
                    length < 0 ? nil : (raw.baseAddress! + Self.headerSize).assumingMemoryBound(to: CChar.self)
                return try withUnsafePointer(to: &value) { values in
                    try withUnsafePointer(to: &length) { lengths in
                        try withUnsafePointer(to: &format) { formats in
                            try withUnsafePointer(to: &type) { types in try body(1, values, lengths, formats, types) }
                        }
                    }
                }
            }
        }
        return try self.withRecordBytes { raw in
            try withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { values in
                try withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * count) { integers in
                    try withUnsafeTemporaryAllocation(of: Oid.self, capacity: count) { types in
                        // Every record has a header, so even an empty value gets a non-NULL pointer.
                        let base = raw.baseAddress!
                        let lengths = integers.baseAddress!
                        let formats = lengths + count
                        self.forEachRecord(in: raw) { index, type, length, offset in
                            values[index] = length < 0 ? nil : (base + offset).assumingMemoryBound(to: CChar.self)
                            lengths[index] = length
                            formats[index] = 1  // binary
                            types[index] = type
                        }
                        return try body(
                            Int32(count), UnsafePointer(values.baseAddress), UnsafePointer(lengths), UnsafePointer(formats),
                            UnsafePointer(types.baseAddress))
                    }
                }
            }
        }
    }

    /// Replaces text binds the server quoted back in a message (`invalid input syntax for type
    /// integer: "…"`), so error descriptions never carry bind values.
    func redacting(_ message: String) -> String {
        var values: [String] = []
        self.withRecords { _, type, length, value in
            let type = PostgresDataType(type)
            guard length > 0, type.isTextLike || type == .jsonb else { return }
            values.append(String(decoding: value, as: UTF8.self))
        }
        var message = message
        for value in values {
            message = message.replacingAll("\"\(value)\"", with: "\"‹redacted›\"")
            if value.count >= 4 { message = message.replacingAll(value, with: "‹redacted›") }
        }
        return message
    }
}

extension PostgresBindings {
    /// Equal when the records are (the parameters' types and bytes) and so is any encoding
    /// failure; where the records sit in the buffer does not matter.
    public static func == (lhs: PostgresBindings, rhs: PostgresBindings) -> Bool {
        guard lhs.parameterCount == rhs.parameterCount, lhs.encodingFailure == rhs.encodingFailure else { return false }
        return lhs.withRecordBytes { l in
            rhs.withRecordBytes { r in l.count == r.count && (l.count == 0 || memcmp(l.baseAddress!, r.baseAddress!, l.count) == 0) }
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.parameterCount)
        hasher.combine(self.encodingFailure)
        self.withRecordBytes { hasher.combine(bytes: $0) }
    }
}

extension PostgresBindings: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { self.parameterCount }

    public subscript(position: Int) -> PostgresBind {
        precondition(position >= 0 && position < self.parameterCount, "bind index out of range")
        var bind = PostgresBind(type: .unknown, bytes: nil)
        self.withRecords { index, type, length, value in
            guard index == position else { return }
            bind = PostgresBind(type: PostgresDataType(type), bytes: length < 0 ? nil : Array(value))
        }
        return bind
    }
}

extension PostgresBindings: CustomStringConvertible {
    /// Types and sizes only: `[int8 (8 bytes), text NULL]`.
    public var description: String {
        "[" + self.map(\.description).joined(separator: ", ") + "]"
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, self.contains(target) else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
