/// A transaction's isolation level (PostgreSQL treats READ UNCOMMITTED as READ COMMITTED).
public enum PostgresIsolationLevel: String, Sendable, CaseIterable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}
