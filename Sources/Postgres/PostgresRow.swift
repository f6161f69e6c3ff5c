/// One row of a result. Values are decoded by column name or position:
///
///     let name = try row.decode(String.self, column: "name")
///     let (id, name, seen) = try row.decode((UUID, String, Date?).self)   // columns in order
///     let user = try row.decode(User.self)                                // Decodable, by name
public struct PostgresRow: Sendable {
    @usableFromInline let result: PostgresResult
    @usableFromInline let index: Int

    init(result: PostgresResult, index: Int) {
        self.result = result
        self.index = index
    }

    public var columnCount: Int { self.result.columnCount }

    public var columns: [PostgresColumn] {
        PostgresRows(result: self.result).columns
    }

    /// Whether the named column is NULL in this row.
    public func isNull(column: String) throws -> Bool {
        self.result.isNull(row: self.index, column: try self.columnIndex(column, for: Any.self))
    }

    /// Decodes the named column (exact, case-sensitive name).
    @inlinable
    public func decode<T: PostgresDecodable>(_ type: T.Type, column: String) throws -> T {
        try self.decodeValue(type, at: try self.columnIndex(column, for: type))
    }

    /// Decodes the column at `index` (0-based).
    @inlinable
    public func decode<T: PostgresDecodable>(_ type: T.Type, at index: Int) throws -> T {
        guard index >= 0 && index < self.result.columnCount else {
            throw self.noColumnError(at: index, for: T.self)
        }
        return try self.decodeValue(type, at: index)
    }

    @usableFromInline
    func noColumnError(at index: Int, for type: Any.Type) -> PostgresError {
        PostgresError(
            kind: .decoding,
            message: "no column at index \(index) for Swift type \(type); the row has \(self.result.columnCount) columns")
    }

    /// Decodes a one-column row as a single value: `SELECT count(*) …` → `decode(Int.self)`.
    public func decode<T: PostgresDecodable>(_ type: T.Type) throws -> T {
        try self.decodeSingle(type)
    }

    /// Decodes a one-column row as a single value (chosen over the by-name `Decodable` path for
    /// types that are both, such as `Int` or `String`).
    public func decode<T: PostgresDecodable & Decodable>(_ type: T.Type) throws -> T {
        try self.decodeSingle(type)
    }

    private func decodeSingle<T: PostgresDecodable>(_ type: T.Type) throws -> T {
        guard self.result.columnCount == 1 else {
            throw PostgresError(
                kind: .decoding,
                message: "cannot decode a row of \(self.result.columnCount) columns as the single value \(T.self)")
        }
        return try self.decodeValue(type, at: 0)
    }

    /// Decodes the row's columns, in order, into a tuple; the column count must match.
    @inlinable
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        var count = 0
        for _ in repeat (each T).self { count += 1 }
        guard count == self.result.columnCount else {
            throw self.columnCountError(count, for: types)
        }
        var index = 0
        return (repeat try self.decodeNext((each T).self, &index))
    }

    @usableFromInline
    func columnCountError(_ count: Int, for types: Any.Type) -> PostgresError {
        PostgresError(
            kind: .decoding,
            message: "cannot decode a row of \(self.result.columnCount) columns as \(types), which has \(count) elements")
    }

    @inlinable
    func decodeNext<U: PostgresDecodable>(_ type: U.Type, _ index: inout Int) throws -> U {
        defer { index += 1 }
        return try self.decodeValue(type, at: index)
    }

    @usableFromInline
    func columnIndex(_ name: String, for type: Any.Type) throws -> Int {
        if let index = self.result.columnIndex(named: name) { return index }
        let names = (0..<self.result.columnCount).map { self.result.columnName($0) }
        throw PostgresError(
            kind: .decoding,
            message: "no column named \"\(name)\" for Swift type \(type); columns are: \(names.joined(separator: ", "))")
    }

    @inlinable
    func decodeValue<T: PostgresDecodable>(_ type: T.Type, at column: Int) throws -> T {
        // `self` holds the result, so the bytes stay valid for this call.
        let pgType = self.result.columnType(column)
        do {
            guard let bytes = self.result.unsafeValue(row: self.index, column: column) else {
                guard let null = T.postgresNull else {
                    throw PostgresDecodingFailure("unexpected NULL; decode as an Optional")
                }
                return null
            }
            return try T(postgresBytes: bytes, type: pgType)
        } catch {
            throw self.decodingError(column: column, swiftType: T.self, reason: error)
        }
    }

    @usableFromInline
    func decodingError(column: Int, swiftType: Any.Type, reason: any Error) -> PostgresError {
        self.decodingError(column: column, swiftType: swiftType, reason: "\(reason)")
    }

    func decodingError(column: Int, swiftType: Any.Type, reason: String) -> PostgresError {
        let name = self.result.columnName(column)
        let pgType = self.result.columnType(column)
        return PostgresError(
            kind: .decoding,
            message: "cannot decode column \"\(name)\" (PostgreSQL type \(pgType)) as Swift type \(swiftType): \(reason)",
            decodingContext: .init(column: name, columnIndex: column, swiftType: "\(swiftType)", postgresType: pgType))
    }
}
