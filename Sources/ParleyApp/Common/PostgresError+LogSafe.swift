import Postgres
import Web

// The database layer's errors describe themselves for logs without row data (see
// `PostgresError.logDescription`); `Web.logDescription(of:)` uses that at every logging site.
extension PostgresError: LogSafeError {}
extension PostgresTransactionError: LogSafeError {}
