/// The rows a statement returned: a random-access collection of `PostgresRow`.
///
/// Holds the whole result in memory; use `forEachRow` to stream a large one.
public struct PostgresRows: RandomAccessCollection, Sendable {
    let result: PostgresResult

    init(result: PostgresResult) {
        self.result = result
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { self.result.rowCount }

    public subscript(position: Int) -> PostgresRow {
        precondition(position >= 0 && position < self.result.rowCount, "row index out of range")
        return PostgresRow(result: self.result, index: position)
    }

    /// Column names and types, in order.
    public var columns: [PostgresColumn] {
        (0..<self.result.columnCount).map {
            PostgresColumn(name: self.result.columnName($0), type: self.result.columnType($0))
        }
    }

    /// Rows affected (INSERT/UPDATE/DELETE/COPY) or returned (SELECT).
    public var affectedRows: Int { self.result.affectedRows }

    /// The command tag, for example `UPDATE 3`.
    public var commandTag: String { self.result.commandTag }

    /// Decodes every row into a `Decodable` type by column name.
    public func decode<T: Decodable>(_ type: T.Type) throws -> [T] {
        try self.map { try $0.decode(type) }
    }

    /// Decodes every one-column row as a single value.
    public func decode<T: PostgresDecodable>(_ type: T.Type) throws -> [T] {
        try self.map { try $0.decode(type) }
    }

    public func decode<T: PostgresDecodable & Decodable>(_ type: T.Type) throws -> [T] {
        try self.map { try $0.decode(type) }
    }

    /// Decodes every row into a tuple, column by column.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> [(repeat each T)] {
        try self.map { try $0.decode(types) }
    }
}

/// A result column's name and type.
public struct PostgresColumn: Hashable, Sendable {
    public var name: String
    public var type: PostgresDataType
}
