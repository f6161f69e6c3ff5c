import FoundationEssentials
import Postgres

extension PostgresConfiguration {
    /// The settings of a bulk command (`import-users`, `export`, `stats`): as `fromEnvironment`,
    /// but a statement over the whole file or table is expected to run long, so unless the
    /// environment sets them there is no statement timeout and no "slow query" warning.
    static func forBulkCommand(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresConfiguration {
        var configuration = try fromEnvironment(env)
        if env["PARLEY_DB_STATEMENT_TIMEOUT_MS"] == nil { configuration.statementTimeout = .zero }
        if env["PARLEY_DB_SLOW_QUERY_MS"] == nil { configuration.slowQueryThreshold = .seconds(86_400) }
        return configuration
    }
}
