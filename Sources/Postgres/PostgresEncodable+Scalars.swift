import FoundationEssentials

extension Bool: PostgresArrayEncodable {
    public static var postgresType: PostgresDataType { .bool }
    public static var postgresArrayType: PostgresDataType { .boolArray }

    @inlinable
    public func encode(into buffer: inout [UInt8]) throws {
        buffer.append(self ? 1 : 0)
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        buffer.append(self ? UInt8(ascii: "t") : UInt8(ascii: "f"))
    }
}

extension Int: PostgresArrayEncodable {
    /// `Int` is 64-bit on every platform Swift servers run on: sent as `int8`.
    public static var postgresType: PostgresDataType { .int8 }
    public static var postgresArrayType: PostgresDataType { .int8Array }

    @inlinable
    public func encode(into buffer: inout [UInt8]) throws {
        buffer.appendBigEndian(Int64(self))
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        buffer.appendDecimal(self)
    }
}

extension Int64: PostgresArrayEncodable {
    public static var postgresType: PostgresDataType { .int8 }
    public static var postgresArrayType: PostgresDataType { .int8Array }

    @inlinable
    public func encode(into buffer: inout [UInt8]) throws {
        buffer.appendBigEndian(self)
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        buffer.appendDecimal(self)
    }
}

extension Int32: PostgresArrayEncodable {
    public static var postgresType: PostgresDataType { .int4 }
    public static var postgresArrayType: PostgresDataType { .int4Array }

    @inlinable
    public func encode(into buffer: inout [UInt8]) throws {
        buffer.appendBigEndian(self)
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        buffer.appendDecimal(self)
    }
}

extension Int16: PostgresArrayEncodable {
    public static var postgresType: PostgresDataType { .int2 }
    public static var postgresArrayType: PostgresDataType { .int2Array }

    @inlinable
    public func encode(into buffer: inout [UInt8]) throws {
        buffer.appendBigEndian(self)
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        buffer.appendDecimal(self)
    }
}

extension Double: PostgresArrayEncodable {
    public static var postgresType: PostgresDataType { .float8 }
    public static var postgresArrayType: PostgresDataType { .float8Array }

    public func encode(into buffer: inout [UInt8]) throws {
        buffer.appendBigEndian(self.bitPattern)
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        if self.isNaN {
            buffer.appendASCII("NaN")
        } else if self.isInfinite {
            buffer.appendASCII(self < 0 ? "-Infinity" : "Infinity")
        } else {
            // Swift prints the shortest representation that reads back to the same Double.
            buffer.append(contentsOf: self.description.utf8)
        }
    }
}

extension Float: PostgresArrayEncodable {
    public static var postgresType: PostgresDataType { .float4 }
    public static var postgresArrayType: PostgresDataType { .float4Array }

    public func encode(into buffer: inout [UInt8]) throws {
        buffer.appendBigEndian(self.bitPattern)
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        try Double(self).encodeText(into: &buffer)
    }
}

extension String: PostgresArrayEncodable {
    public static var postgresType: PostgresDataType { .text }
    public static var postgresArrayType: PostgresDataType { .textArray }

    /// PostgreSQL text cannot hold U+0000: such a string is rejected here, with an error that
    /// does not repeat the string.
    public func encode(into buffer: inout [UInt8]) throws {
        let start = buffer.count
        buffer.append(contentsOf: self.utf8)
        if buffer[start...].contains(0) {
            buffer.removeSubrange(start...)
            throw PostgresError.encoding(
                "text contains a NUL character (U+0000), which PostgreSQL text cannot store")
        }
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        try self.encode(into: &buffer)
    }
}

extension Substring: PostgresEncodable {
    public static var postgresType: PostgresDataType { .text }

    public func encode(into buffer: inout [UInt8]) throws {
        try String(self).encode(into: &buffer)
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        try String(self).encode(into: &buffer)
    }
}

extension UUID: PostgresArrayEncodable {
    public static var postgresType: PostgresDataType { .uuid }
    public static var postgresArrayType: PostgresDataType { .uuidArray }

    public func encode(into buffer: inout [UInt8]) throws {
        withUnsafeBytes(of: self.uuid) { buffer.append(contentsOf: $0) }
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        buffer.append(contentsOf: self.uuidString.lowercased().utf8)
    }
}

extension Data: PostgresArrayEncodable {
    public static var postgresType: PostgresDataType { .bytea }
    public static var postgresArrayType: PostgresDataType { .byteaArray }

    public func encode(into buffer: inout [UInt8]) throws {
        buffer.append(contentsOf: self)
    }

    /// bytea's hex format: `\x0a1b…`.
    public func encodeText(into buffer: inout [UInt8]) throws {
        let digits: StaticString = "0123456789abcdef"
        buffer.reserveCapacity(buffer.count + 2 + 2 * self.count)
        buffer.append(UInt8(ascii: "\\"))
        buffer.append(UInt8(ascii: "x"))
        digits.withUTF8Buffer { hex in
            for byte in self {
                buffer.append(hex[Int(byte >> 4)])
                buffer.append(hex[Int(byte & 0x0f)])
            }
        }
    }
}

extension Date: PostgresArrayEncodable {
    /// Sent as `timestamptz`: microseconds since 2000-01-01 UTC, rounded to the nearest microsecond.
    public static var postgresType: PostgresDataType { .timestamptz }
    public static var postgresArrayType: PostgresDataType { .timestamptzArray }

    public func encode(into buffer: inout [UInt8]) throws {
        buffer.appendBigEndian(try PostgresTimestamp.microseconds(from: self))
    }

    public func encodeText(into buffer: inout [UInt8]) throws {
        let text = PostgresTimestamp.text(microseconds: try PostgresTimestamp.microseconds(from: self))
        buffer.append(contentsOf: text.utf8)
    }
}
