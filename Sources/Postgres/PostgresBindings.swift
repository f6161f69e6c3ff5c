import Foundation
import CLibPQ

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

/// The bind parameters of a query, stored contiguously so they can be lent to libpq without
/// copying. A collection of `PostgresBind`.
public struct PostgresBindings: Hashable, Sendable {
    /// Where each value lives in `bytes`; `length` -1 is NULL.
    @usableFromInline
    struct Slot: Hashable, Sendable {
        @usableFromInline var type: UInt32
        @usableFromInline var length: Int32
        @usableFromInline var offset: Int

        @inlinable
        init(type: UInt32, length: Int32, offset: Int) {
            self.type = type
            self.length = length
            self.offset = offset
        }
    }

    @usableFromInline var slots: [Slot] = []
    @usableFromInline var bytes: [UInt8] = []
    /// Why the first value that could not be encoded failed; the query is refused when it is
    /// executed, so string interpolation itself never throws. (A string, not the error, to keep
    /// the query small to copy.)
    @usableFromInline var encodingFailure: String?

    public init() {}

    public init(capacity: Int) {
        self.slots.reserveCapacity(capacity)
    }

    /// Appends a value as the next parameter. Inlinable so the caller's module specializes it
    /// for the concrete type: this runs for every interpolated value.
    @inlinable
    public mutating func append<Value: PostgresEncodable>(_ value: Value) {
        let start = self.bytes.count
        guard !value.isNull else {
            self.slots.append(Slot(type: Value.postgresType.rawValue, length: -1, offset: start))
            return
        }
        do {
            try value.encode(into: &self.bytes)
        } catch {
            self.recordEncodingFailure(error, valueType: Value.self, start: start)
        }
        self.slots.append(
            Slot(type: Value.postgresType.rawValue, length: Int32(truncatingIfNeeded: self.bytes.count - start), offset: start))
    }

    @usableFromInline
    mutating func recordEncodingFailure(_ error: any Error, valueType: Any.Type, start: Int) {
        self.bytes.removeSubrange(start...)
        if self.encodingFailure == nil {
            let reason = (error as? PostgresError)?.message ?? "\(error)"
            self.encodingFailure = "bind $\(self.slots.count + 1) (\(valueType)): \(reason)"
        }
    }

    /// The error for the value that could not be encoded, if any.
    var encodingError: PostgresError? {
        self.encodingFailure.map { PostgresError.encoding($0) }
    }

    public mutating func appendNull(_ type: PostgresDataType) {
        self.slots.append(Slot(type: type.rawValue, length: -1, offset: self.bytes.count))
    }

    /// The parameter type OIDs, in order.
    var types: [UInt32] {
        self.slots.map(\.type)
    }

    /// Whether the parameters have exactly these types (without building an array).
    func hasTypes(_ types: [UInt32]) -> Bool {
        guard types.count == self.slots.count else { return false }
        for index in types.indices where types[index] != self.slots[index].type { return false }
        return true
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        Array(lhs) == Array(rhs) && (lhs.encodingError == nil) == (rhs.encodingError == nil)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(Array(self))
    }

    /// Lends libpq the parameter arrays (values, lengths, formats, types) for the duration of `body`.
    func withLibpqParameters<R>(
        _ body: (
            _ count: Int32, _ values: UnsafePointer<UnsafePointer<CChar>?>?, _ lengths: UnsafePointer<Int32>?,
            _ formats: UnsafePointer<Int32>?, _ types: UnsafePointer<Oid>?
        ) throws -> R
    ) rethrows -> R {
        let count = self.slots.count
        guard count > 0 else { return try body(0, nil, nil, nil, nil) }
        // A non-NULL value needs a non-NULL pointer even when it is empty.
        let storageBytes = self.bytes.isEmpty ? [0] : self.bytes
        return try storageBytes.withUnsafeBufferPointer { storage in
            try withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { values in
                try withUnsafeTemporaryAllocation(of: Int32.self, capacity: 3 * count) { integers in
                    try withUnsafeTemporaryAllocation(of: Oid.self, capacity: count) { types in
                        let base = UnsafeRawPointer(storage.baseAddress!)
                        let lengths = integers.baseAddress!
                        let formats = lengths + count
                        for (index, slot) in self.slots.enumerated() {
                            values[index] = slot.length < 0 ? nil : (base + slot.offset).assumingMemoryBound(to: CChar.self)
                            lengths[index] = slot.length
                            formats[index] = 1  // binary
                            types[index] = slot.type
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
        var message = message
        for slot in self.slots where slot.length > 0 {
            let type = PostgresDataType(slot.type)
            guard type.isTextLike || type == .jsonb else { continue }
            let value = String(decoding: self.bytes[slot.offset..<slot.offset + Int(slot.length)], as: UTF8.self)
            message = message.replacingAll("\"\(value)\"", with: "\"‹redacted›\"")
            if value.count >= 4 { message = message.replacingAll(value, with: "‹redacted›") }
        }
        return message
    }
}

extension PostgresBindings: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { self.slots.count }

    public subscript(position: Int) -> PostgresBind {
        let slot = self.slots[position]
        return PostgresBind(
            type: PostgresDataType(slot.type),
            bytes: slot.length < 0 ? nil : Array(self.bytes[slot.offset..<slot.offset + Int(slot.length)]))
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
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
