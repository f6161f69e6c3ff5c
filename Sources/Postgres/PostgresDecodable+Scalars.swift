import FoundationEssentials

extension Bool: PostgresDecodable {
    @inlinable
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        guard type == .bool else { throw PostgresDecodingFailure.typeMismatch }
        try bytes.requireLength(1)
        self = bytes[0] != 0
    }
}

extension Int: PostgresDecodable {
    @inlinable
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        if let value = readInt8OrInt4(bytes, type: type) {
            self = Int(value)
            return
        }
        self = try narrow(decodeInteger(bytes, type: type), to: Int.self)
    }
}

extension Int64: PostgresDecodable {
    @inlinable
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        if let value = readInt8OrInt4(bytes, type: type) {
            self = value
            return
        }
        self = try decodeInteger(bytes, type: type)
    }
}

extension Int32: PostgresDecodable {
    @inlinable
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        if type.rawValue == PostgresDataType.int4OID && bytes.count == 4 {  // the common case, read in place
            self = Int32(bigEndian: bytes.loadUnaligned(as: Int32.self))
            return
        }
        self = try narrow(decodeInteger(bytes, type: type), to: Int32.self)
    }
}

extension Int16: PostgresDecodable {
    @inlinable
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        self = try narrow(decodeInteger(bytes, type: type), to: Int16.self)
    }
}

extension Double: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        switch type {
        case .float8:
            try bytes.requireLength(8)
            self = Double(bitPattern: try bytes.readBigEndian(UInt64.self))
        case .float4:
            try bytes.requireLength(4)
            self = Double(Float(bitPattern: try bytes.readBigEndian(UInt32.self)))
        case .int2, .int4, .int8:
            self = Double(try decodeInteger(bytes, type: type))
        case .numeric:
            guard let value = Double(try PostgresNumeric.text(bytes)) else { throw PostgresDecodingFailure.typeMismatch }
            self = value
        default:
            throw PostgresDecodingFailure.typeMismatch
        }
    }
}

extension Float: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        switch type {
        case .float4:
            try bytes.requireLength(4)
            self = Float(bitPattern: try bytes.readBigEndian(UInt32.self))
        case .float8:
            try bytes.requireLength(8)
            self = Float(Double(bitPattern: try bytes.readBigEndian(UInt64.self)))
        default:
            throw PostgresDecodingFailure.typeMismatch
        }
    }
}

extension String: PostgresDecodable {
    /// Reads text-like columns (text, varchar, char(n), name, json, enums, citext), jsonb as its
    /// JSON text, uuid and numeric in their canonical forms. Cast anything else in SQL (`::text`).
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        switch type {
        case .jsonb:
            guard bytes.first == 1 else { throw PostgresDecodingFailure("unsupported jsonb format version") }
            self = String(decoding: bytes.dropFirst(), as: UTF8.self)
        case .uuid:
            self = try UUID(postgresBytes: bytes, type: type).uuidString.lowercased()
        case .numeric:
            self = try PostgresNumeric.text(bytes)
        case _ where type.isTextLike:
            self = String(decoding: bytes, as: UTF8.self)
        default:
            throw PostgresDecodingFailure.typeMismatch
        }
    }
}

extension UUID: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        switch type {
        case .uuid:
            // One unaligned load, not a zeroed tuple filled by memcpy: a page decodes dozens.
            try bytes.requireLength(16)
            self.init(uuid: bytes.loadUnaligned(as: uuid_t.self))
        case _ where type.isTextLike:
            guard let uuid = UUID(uuidString: String(decoding: bytes, as: UTF8.self)) else {
                throw PostgresDecodingFailure("text is not a UUID")
            }
            self = uuid
        default:
            throw PostgresDecodingFailure.typeMismatch
        }
    }
}

extension Data: PostgresDecodable {
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        guard type == .bytea else { throw PostgresDecodingFailure.typeMismatch }
        self.init(bytes)
    }
}

extension Date: PostgresDecodable {
    /// Reads timestamptz and timestamp (taken as UTC) with microsecond precision, and date as
    /// midnight UTC. ±infinity become `distantFuture` / `distantPast`.
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        switch type {
        case .timestamptz, .timestamp:
            try bytes.requireLength(8)
            self = PostgresTimestamp.date(microseconds: try bytes.readBigEndian(Int64.self))
        case .date:
            try bytes.requireLength(4)
            self = PostgresTimestamp.date(days: try bytes.readBigEndian(Int32.self))
        default:
            throw PostgresDecodingFailure.typeMismatch
        }
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// One-dimensional arrays (and the empty array). NULL elements need an optional element
    /// type: `[Int?]`. Inlinable, so that it is specialised where it is used: unspecialised, each
    /// element asked the runtime for generic metadata (bench/README.md, "API requests").
    @inlinable
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        let dimensions = try bytes.readBigEndian(Int32.self, at: 0)
        let elementType = PostgresDataType(try bytes.readBigEndian(UInt32.self, at: 8))
        if let expected = type.arrayElementType, expected != elementType {
            throw PostgresDecodingFailure.typeMismatch
        }
        guard dimensions == 1 else {
            if dimensions == 0 {
                self = []
                return
            }
            throw PostgresDecodingFailure("\(dimensions)-dimensional arrays are not supported")
        }
        let count = Int(try bytes.readBigEndian(Int32.self, at: 12))
        var offset = 20
        var elements = [Element]()
        elements.reserveCapacity(count)
        for _ in 0..<count {
            let length = Int(try bytes.readBigEndian(Int32.self, at: offset))
            offset += 4
            if length < 0 {
                guard let null = Element.postgresNull else {
                    throw PostgresDecodingFailure("array contains NULL; decode as an array of optionals")
                }
                elements.append(null)
                continue
            }
            guard offset + length <= bytes.count else { throw PostgresDecodingFailure("array is truncated") }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
            elements.append(try Element(postgresBytes: slice, type: elementType))
            offset += length
        }
        self = elements
    }
}

extension Decimal: PostgresDecodable {
    /// Reads numeric exactly (and integer columns).
    public init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        switch type {
        case .numeric:
            let text = try PostgresNumeric.text(bytes)
            guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), !value.isNaN || text == "NaN" else {
                throw PostgresDecodingFailure("numeric \(text) does not fit in Decimal")
            }
            self = value
        case .int2, .int4, .int8:
            self = Decimal(try decodeInteger(bytes, type: type))
        default:
            throw PostgresDecodingFailure.typeMismatch
        }
    }
}
