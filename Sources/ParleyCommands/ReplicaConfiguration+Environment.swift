import FoundationEssentials
import ParleyApp
import Postgres
import Web

extension ReplicaConfiguration {
    /// The read replica from the environment: `PARLEY_DATABASE_REPLICA_URL` (none: nil, every
    /// statement on `DATABASE_URL`), `PARLEY_REPLICA_MAX_LAG` (seconds, default 5) and
    /// `PARLEY_REPLICA_WAIT_MS` (default 100). The replica's sessions take the primary's
    /// settings (timeouts, prepared statements).
    package static func fromEnvironment(
        _ env: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ReplicaConfiguration? {
        guard let url = env["PARLEY_DATABASE_REPLICA_URL"], !url.trimmingWhitespace().isEmpty else { return nil }
        var database = try PostgresConfiguration.fromEnvironment(env)
        database.url = url
        database.applicationName = "parley-replica"
        var configuration = ReplicaConfiguration(database: database)
        if let text = env["PARLEY_REPLICA_MAX_LAG"], !text.isEmpty {
            guard let seconds = Double(text.trimmingWhitespace()), seconds.isFinite, (0...86_400).contains(seconds) else {
                throw PostgresError.configuration("PARLEY_REPLICA_MAX_LAG must be a number of seconds between 0 and 86400, got \"\(text)\"")
            }
            configuration.maxLag = .milliseconds(Int64((seconds * 1000).rounded()))
        }
        if let text = env["PARLEY_REPLICA_WAIT_MS"], !text.isEmpty {
            guard let milliseconds = Int64(text.trimmingWhitespace()), (0...10_000).contains(milliseconds) else {
                throw PostgresError.configuration("PARLEY_REPLICA_WAIT_MS must be a whole number of milliseconds between 0 and 10000, got \"\(text)\"")
            }
            configuration.readYourWritesWait = .milliseconds(milliseconds)
        }
        return configuration
    }
}
