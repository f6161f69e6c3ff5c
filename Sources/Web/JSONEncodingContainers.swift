// The containers a ``JSONValueEncoder`` hands out: keyed, unkeyed and single-value, one unit
// that forwards every call to ``JSONOutput``, so they share this file.

/// The key of `superEncoder()`, named as Foundation names it.
private struct JSONSuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}

struct JSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let output: JSONOutput
    /// The number of open containers, this one included.
    let depth: Int

    var codingPath: [any CodingKey] { output.codingPath(depth: depth - 1) }

    mutating func encodeNil(forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeNull() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeBool(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeString(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { output.beginKey(key, depth: depth); try output.writeFloat(value, depth: depth) }
    mutating func encode(_ value: Float, forKey key: Key) throws { output.beginKey(key, depth: depth); try output.writeFloat(value, depth: depth) }
    mutating func encode(_ value: Int, forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { output.beginKey(key, depth: depth); output.writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        output.beginKey(key, depth: depth)
        try output.encodeValue(value, depth: depth)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        output.beginKey(key, depth: depth)
        output.open(object: true)
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(output: output, depth: depth + 1))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        output.beginKey(key, depth: depth)
        output.open(object: false)
        return JSONUnkeyedContainer(output: output, depth: depth + 1)
    }

    mutating func superEncoder() -> any Encoder {
        output.beginKey(JSONSuperKey(), depth: depth)
        output.pendingValue = output.bytes.count
        return JSONValueEncoder(output: output, depth: depth)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        output.beginKey(key, depth: depth)
        output.pendingValue = output.bytes.count
        return JSONValueEncoder(output: output, depth: depth)
    }
}

struct JSONUnkeyedContainer: UnkeyedEncodingContainer {
    let output: JSONOutput
    let depth: Int

    var codingPath: [any CodingKey] { output.codingPath(depth: depth - 1) }
    var count: Int { output.frames.count >= depth ? output.frames[depth - 1].count : 0 }

    mutating func encodeNil() throws { output.beginElement(depth: depth); output.writeNull() }
    mutating func encode(_ value: Bool) throws { output.beginElement(depth: depth); output.writeBool(value) }
    mutating func encode(_ value: String) throws { output.beginElement(depth: depth); output.writeString(value) }
    mutating func encode(_ value: Double) throws { output.beginElement(depth: depth); try output.writeFloat(value, depth: depth) }
    mutating func encode(_ value: Float) throws { output.beginElement(depth: depth); try output.writeFloat(value, depth: depth) }
    mutating func encode(_ value: Int) throws { output.beginElement(depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { output.beginElement(depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { output.beginElement(depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { output.beginElement(depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { output.beginElement(depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { output.beginElement(depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { output.beginElement(depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { output.beginElement(depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { output.beginElement(depth: depth); output.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { output.beginElement(depth: depth); output.writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        output.beginElement(depth: depth)
        try output.encodeValue(value, depth: depth)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        output.beginElement(depth: depth)
        output.open(object: true)
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(output: output, depth: depth + 1))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        output.beginElement(depth: depth)
        output.open(object: false)
        return JSONUnkeyedContainer(output: output, depth: depth + 1)
    }

    mutating func superEncoder() -> any Encoder {
        output.beginElement(depth: depth)
        output.pendingValue = output.bytes.count
        return JSONValueEncoder(output: output, depth: depth)
    }
}

struct JSONSingleValueContainer: SingleValueEncodingContainer {
    let output: JSONOutput
    let depth: Int

    var codingPath: [any CodingKey] { output.codingPath(depth: depth) }

    mutating func encodeNil() throws { output.writeNull() }
    mutating func encode(_ value: Bool) throws { output.writeBool(value) }
    mutating func encode(_ value: String) throws { output.writeString(value) }
    mutating func encode(_ value: Double) throws { try output.writeFloat(value, depth: depth) }
    mutating func encode(_ value: Float) throws { try output.writeFloat(value, depth: depth) }
    mutating func encode(_ value: Int) throws { output.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { output.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { output.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { output.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { output.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { output.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { output.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { output.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { output.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { output.writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try output.encodeValue(value, depth: depth)
    }
}
