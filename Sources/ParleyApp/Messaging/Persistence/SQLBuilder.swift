import Postgres

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
struct SQLBuilder {
    private var sql: String
    private var binds = PostgresBindings()

    init(_ fragment: StaticString) {
        sql = fragment.description
    }

    mutating func append(_ fragment: StaticString) {
        sql += fragment.description
    }

    mutating func bind<Value: PostgresEncodable>(_ value: Value) {
        binds.append(value)
        sql += "$\(binds.count)"
    }

    var query: PostgresQuery {
        PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
