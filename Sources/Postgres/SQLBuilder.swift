/// Builds a statement whose shape depends on which filters are present, without ever putting a
/// value in the SQL text: fixed fragments are `StaticString` (compile-time literals only), and
/// each value becomes the next `$n` bind parameter.
///
///     var sql = SQLBuilder("SELECT … FROM messages m WHERE m.conversation_id = ")
///     sql.bind(conversationID)
///     if let sender { sql.append(" AND m.sender_id = "); sql.bind(sender) }
///
/// Each distinct shape is its own prepared statement, so every combination of filters gets a
/// plan of its own (a `$1 IS NULL OR …` catch-all would get one generic plan for all of them).
///
/// It is a ``PostgresQuery`` literal written a piece at a time: the same interpolation builds
/// the text, the placeholders and the binds, so the query is the one the literal would make.
public struct SQLBuilder {
    @usableFromInline var interpolation: PostgresQuery.StringInterpolation

    @inlinable
    public init(_ fragment: StaticString) {
        interpolation = PostgresQuery.StringInterpolation(literalCapacity: fragment.utf8CodeUnitCount, interpolationCount: 0)
        append(fragment)
    }

    @inlinable
    public mutating func append(_ fragment: StaticString) {
        fragment.withUTF8Buffer { interpolation.insertText($0) }
    }

    /// `value` as the next bind parameter (`nil` becomes NULL).
    @inlinable
    public mutating func bind<Value: PostgresEncodable>(_ value: Value) {
        interpolation.appendInterpolation(value)
    }

    @inlinable
    public var query: PostgresQuery {
        PostgresQuery(stringInterpolation: interpolation)
    }
}
