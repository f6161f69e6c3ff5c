import FoundationEssentials

extension PostgresRow {
    /// Decodes a `Decodable` type by column name.
    ///
    /// A property matches the column of the same name or, failing that, its snake_case form
    /// (`createdAt` → `created_at`). Properties whose type is `PostgresDecodable` use it; other
    /// `Decodable` properties are read from a json/jsonb column, or through a single value
    /// (so `enum Role: String, Codable` reads a text column).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        return try T(from: RowDecoder(row: self))
    }

    func decodeOpened<D: PostgresDecodable>(_ type: D.Type, at column: Int) throws -> D {
        try self.decodeValue(type, at: column)
    }

    /// Decodes one column into any `Decodable`: directly when it is `PostgresDecodable`, from
    /// JSON for json/jsonb columns, else through a single-value decoder.
    func decodeAny<T: Decodable>(_ type: T.Type, at column: Int, codingPath: [any CodingKey]) throws -> T {
        if let decodable = type as? any PostgresDecodable.Type {
            return try self.decodeOpened(decodable, at: column) as! T
        }
        let pgType = self.result.columnType(column)
        if pgType == .json || pgType == .jsonb {
            do {
                return try self.result.withValue(row: self.index, column: column) { bytes in
                    guard let bytes else { throw PostgresDecodingFailure("unexpected NULL; decode as an Optional") }
                    return try PostgresJSON<T>.decodeJSON(T.self, bytes: bytes, type: pgType)
                }
            } catch {
                throw self.decodingError(column: column, swiftType: T.self, reason: "\(error)")
            }
        }
        return try T(from: ColumnDecoder(row: self, column: column, codingPath: codingPath))
    }

    func columnIndex(forKey key: any CodingKey) -> Int? {
        self.result.columnIndex(forProperty: key.stringValue)
    }

    static func snakeCased(_ name: String) -> String {
        // ASCII names (all Swift property names in practice) are converted byte by byte: the
        // Character path below consults Unicode properties for every letter, which showed in
        // the profile of every page of rows decoded.
        if let converted = name.utf8.withContiguousStorageIfAvailable({ bytes -> String? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            let uppercase = bytes.reduce(0) { $0 + ($1 >= 65 && $1 <= 90 ? 1 : 0) }
            guard uppercase > 0 else { return name }
            return String(unsafeUninitializedCapacity: bytes.count + uppercase) { output in
                var count = 0
                for byte in bytes {
                    if byte >= 65 && byte <= 90 {
                        if count > 0 {
                            output[count] = UInt8(ascii: "_")
                            count += 1
                        }
                        output[count] = byte + 32
                    } else {
                        output[count] = byte
                    }
                    count += 1
                }
                return count
            }
        }), let converted {
            return converted
        }
        var result = ""
        for character in name {
            if character.isUppercase {
                if !result.isEmpty { result.append("_") }
                result.append(contentsOf: character.lowercased())
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// Decodes a row as a keyed container whose keys are column names.
private struct RowDecoder: Decoder {
    let row: PostgresRow
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowKeyedContainer<Key>(row: self.row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw PostgresError(kind: .decoding, message: "a row decodes as a keyed container (by column name), not an unkeyed one")
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard self.row.columnCount == 1 else {
            throw PostgresError(
                kind: .decoding, message: "a single value needs a one-column row; this row has \(self.row.columnCount)")
        }
        return ColumnDecoder(row: self.row, column: 0, codingPath: [])
    }
}

private struct RowKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: PostgresRow
    var codingPath: [any CodingKey] { [] }

    var allKeys: [Key] {
        self.row.columns.compactMap { Key(stringValue: $0.name) }
    }

    func contains(_ key: Key) -> Bool {
        self.row.columnIndex(forKey: key) != nil
    }

    private func column(_ key: Key, _ type: Any.Type) throws -> Int {
        if let index = self.row.columnIndex(forKey: key) { return index }
        let snake = PostgresRow.snakeCased(key.stringValue)
        let names = self.row.columns.map(\.name).joined(separator: ", ")
        let wanted = snake == key.stringValue ? "\"\(snake)\"" : "\"\(key.stringValue)\" or \"\(snake)\""
        throw PostgresError(
            kind: .decoding,
            message: "no column named \(wanted) for property \(key.stringValue) (Swift type \(type)); columns are: \(names)")
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        self.row.result.isNull(row: self.row.index, column: try self.column(key, Any.self))
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try self.row.decodeAny(type, at: try self.column(key, type), codingPath: [key])
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try self.decodeValue(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try self.decodeValue(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try self.decodeValue(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try self.decodeValue(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try self.decodeValue(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try self.decodeValue(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try self.decodeValue(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try self.decodeValue(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try self.narrowed(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try self.narrowed(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try self.narrowed(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try self.narrowed(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try self.narrowed(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try self.narrowed(type, key) }

    private func decodeValue<T: PostgresDecodable>(_ type: T.Type, _ key: Key) throws -> T {
        try self.row.decodeValue(type, at: try self.column(key, type))
    }

    private func narrowed<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws -> T {
        let column = try self.column(key, type)
        let value = try self.row.decodeValue(Int64.self, at: column)
        guard let narrowed = T(exactly: value) else {
            throw self.row.decodingError(column: column, swiftType: type, reason: "value does not fit in \(type)")
        }
        return narrowed
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        throw PostgresError(kind: .decoding, message: "nested containers are not supported (column \(key.stringValue)); use a jsonb column")
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw PostgresError(kind: .decoding, message: "nested containers are not supported (column \(key.stringValue)); use an array or jsonb column")
    }

    func superDecoder() throws -> any Decoder {
        RowDecoder(row: self.row)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        RowDecoder(row: self.row)
    }
}

/// A decoder over one column, for `Decodable` types that decode from a single value
/// (`RawRepresentable` enums, wrappers).
private struct ColumnDecoder: Decoder, SingleValueDecodingContainer {
    let row: PostgresRow
    let column: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw self.unsupported("a keyed container")
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw self.unsupported("an unkeyed container")
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        self
    }

    private func unsupported(_ what: String) -> PostgresError {
        self.row.decodingError(
            column: self.column, swiftType: Any.self,
            reason: "the Swift type asks for \(what); store it as json/jsonb or make it PostgresDecodable")
    }

    func decodeNil() -> Bool {
        self.row.result.isNull(row: self.row.index, column: self.column)
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try self.row.decodeAny(type, at: self.column, codingPath: self.codingPath)
    }

    func decode(_ type: Bool.Type) throws -> Bool { try self.row.decodeValue(type, at: self.column) }
    func decode(_ type: String.Type) throws -> String { try self.row.decodeValue(type, at: self.column) }
    func decode(_ type: Double.Type) throws -> Double { try self.row.decodeValue(type, at: self.column) }
    func decode(_ type: Float.Type) throws -> Float { try self.row.decodeValue(type, at: self.column) }
    func decode(_ type: Int.Type) throws -> Int { try self.row.decodeValue(type, at: self.column) }
    func decode(_ type: Int16.Type) throws -> Int16 { try self.row.decodeValue(type, at: self.column) }
    func decode(_ type: Int32.Type) throws -> Int32 { try self.row.decodeValue(type, at: self.column) }
    func decode(_ type: Int64.Type) throws -> Int64 { try self.row.decodeValue(type, at: self.column) }
    func decode(_ type: Int8.Type) throws -> Int8 { try self.narrowed(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try self.narrowed(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try self.narrowed(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try self.narrowed(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try self.narrowed(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try self.narrowed(type) }

    private func narrowed<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let value = try self.row.decodeValue(Int64.self, at: self.column)
        guard let narrowed = T(exactly: value) else {
            throw self.row.decodingError(column: self.column, swiftType: type, reason: "value does not fit in \(type)")
        }
        return narrowed
    }
}
