extension PostgresRow {
    /// Lends the raw bytes of the column at `index` (nil for NULL) for the duration of `body`,
    /// in the result's format (binary for ``PostgresConnection/forEachRow(_:_:)``, where a
    /// `text` value is its UTF-8). For passing large values on without making a `String`.
    public func withUnsafeBytes<R>(at index: Int, _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        guard index >= 0 && index < self.result.columnCount else { throw self.noColumnError(at: index, for: UnsafeRawBufferPointer.self) }
        return try self.result.withValue(row: self.index, column: index, body)
    }
}
