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
    @usableFromInline var types: [UInt32] = []
    @usableFromInline var lengths: [Int32] = []
    @usableFromInline var offsets: [Int] = []
    @usableFromInline var bytes: [UInt8] = []
    /// The first value that could not be encoded; the query is refused when it is executed,
    /// so string interpolation itself never throws.
    var encodingError: PostgresError?

    public init() {}

    public init(capacity: Int) {
        self.types.reserveCapacity(capacity)
        self.lengths.reserveCapacity(capacity)
        self.offsets.reserveCapacity(capacity)
        self.bytes.reserveCapacity(16 * capacity)
    }

    public mutating func append<Value: PostgresEncodable>(_ value: Value) {
        self.types.append(Value.postgresType.rawValue)
        self.offsets.append(self.bytes.count)
        guard !value.isNull else {
            self.lengths.append(-1)
            return
        }
        let start = self.bytes.count
        do {
            try value.encode(into: &self.bytes)
        } catch {
            self.bytes.removeSubrange(start...)
            if self.encodingError == nil {
                let reason = (error as? PostgresError)?.message ?? "\(error)"
                self.encodingError = .encoding("bind $\(self.types.count) (\(Value.self)): \(reason)")
            }
        }
        self.lengths.append(Int32(truncatingIfNeeded: self.bytes.count - start))
    }

    public mutating func appendNull(_ type: PostgresDataType) {
        self.types.append(type.rawValue)
        self.offsets.append(self.bytes.count)
        self.lengths.append(-1)
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
        let count = self.types.count
        guard count > 0 else { return try body(0, nil, nil, nil, nil) }
        // A non-NULL value needs a non-NULL pointer even when it is empty.
        let storageBytes = self.bytes.isEmpty ? [0] : self.bytes
        return try storageBytes.withUnsafeBufferPointer { storage in
            try withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { values in
                try withUnsafeTemporaryAllocation(of: Int32.self, capacity: count) { formats in
                    let base = UnsafeRawPointer(storage.baseAddress!)
                    for index in 0..<count {
                        formats[index] = 1  // binary
                        values[index] = self.lengths[index] < 0
                            ? nil
                            : (base + self.offsets[index]).assumingMemoryBound(to: CChar.self)
                    }
                    return try self.lengths.withUnsafeBufferPointer { lengths in
                        try self.types.withUnsafeBufferPointer { types in
                            try body(
                                Int32(count), UnsafePointer(values.baseAddress), lengths.baseAddress,
                                UnsafePointer(formats.baseAddress), types.baseAddress)
                        }
                    }
                }
            }
        }
    }

    /// Replaces text binds the server quoted back in a message (`invalid input syntax for type
    /// integer: "…"`), so error descriptions never carry bind values.
    func redacting(_ message: String) -> String {
        var message = message
        for index in 0..<self.types.count where self.lengths[index] > 0 {
            let type = PostgresDataType(self.types[index])
            guard type.isTextLike || type == .jsonb else { continue }
            let start = self.offsets[index]
            let value = String(decoding: self.bytes[start..<start + Int(self.lengths[index])], as: UTF8.self)
            message = message.replacingAll("\"\(value)\"", with: "\"‹redacted›\"")
            if value.count >= 4 { message = message.replacingAll(value, with: "‹redacted›") }
        }
        return message
    }
}

extension PostgresBindings: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { self.types.count }

    public subscript(position: Int) -> PostgresBind {
        let length = Int(self.lengths[position])
        let start = self.offsets[position]
        return PostgresBind(
            type: PostgresDataType(self.types[position]),
            bytes: length < 0 ? nil : Array(self.bytes[start..<start + length]))
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
