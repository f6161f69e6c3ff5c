import FoundationEssentials
import Postgres
import Web

extension PostgresConfiguration {
    /// Parley's database settings from the environment: `DATABASE_URL` (required) and the
    /// optional `PARLEY_DB_STATEMENT_TIMEOUT_MS`, `PARLEY_DB_LOCK_TIMEOUT_MS`,
    /// `PARLEY_DB_IDLE_TX_TIMEOUT_MS`, `PARLEY_DB_SLOW_QUERY_MS` and `PARLEY_DB_PREPARED_STATEMENTS`
    /// (statements kept prepared per connection; 0 sends unnamed ones, for PgBouncer's transaction
    /// pooling before 1.21); sessions are named `parley`.
    package static func fromEnvironment(
        _ env: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PostgresConfiguration {
        guard let url = env["DATABASE_URL"], !url.trimmingWhitespace().isEmpty else {
            throw PostgresError.configuration(
                "DATABASE_URL is not set; set it to a libpq URI such as postgresql://parley@localhost:5432/parley")
        }
        var configuration = PostgresConfiguration(url: url)
        configuration.applicationName = "parley"
        func milliseconds(_ name: String) throws -> Duration? {
            guard let text = env[name] else { return nil }
            guard let value = Int64(text.trimmingWhitespace()), value >= 0 else {
                throw PostgresError.configuration("\(name) must be a whole number of milliseconds (0 or more), got \"\(text)\"")
            }
            return .milliseconds(value)
        }
        if let value = try milliseconds("PARLEY_DB_STATEMENT_TIMEOUT_MS") { configuration.statementTimeout = value }
        if let value = try milliseconds("PARLEY_DB_LOCK_TIMEOUT_MS") { configuration.lockTimeout = value }
        if let value = try milliseconds("PARLEY_DB_IDLE_TX_TIMEOUT_MS") { configuration.idleInTransactionSessionTimeout = value }
        if let value = try milliseconds("PARLEY_DB_SLOW_QUERY_MS") { configuration.slowQueryThreshold = value }
        if let text = env["PARLEY_DB_PREPARED_STATEMENTS"], !text.isEmpty {
            guard let value = Int(text.trimmingWhitespace()), (0...100_000).contains(value) else {
                throw PostgresError.configuration("PARLEY_DB_PREPARED_STATEMENTS must be a whole number between 0 and 100000, got \"\(text)\"")
            }
            configuration.preparedStatementCacheSize = value
        }
        return configuration
    }
}
