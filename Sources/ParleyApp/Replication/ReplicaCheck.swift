import Logging
import Postgres

/// `parley serve --check` with a replica configured: it can be reached, is a standby, and is
/// within the lag limit. (A replica failing this does not stop `parley serve`: reads then go
/// to the primary; the check says so before an operator relies on it.)
public enum ReplicaCheck {
    public static func run(_ configuration: ReplicaConfiguration, logger: Logger) throws -> String {
        let database = PostgresDatabase(configuration: configuration.database, logger: logger)
        let status = try PostgresReplicationRepository(database: database).status(minimumLSN: "0/0")
        guard status.isStandby else {
            throw ReplicaCheckFailure("PARLEY_DATABASE_REPLICA_URL reached a server that is not a standby (pg_is_in_recovery() is false): reads would go to the primary")
        }
        let limit = Double(configuration.maxLag.components.seconds) + Double(configuration.maxLag.components.attoseconds) / 1e18
        guard status.lagSeconds <= limit else {
            throw ReplicaCheckFailure("the replica lags \(status.lagSeconds) s, more than PARLEY_REPLICA_MAX_LAG (\(limit) s): reads would go to the primary")
        }
        return "a standby, \(status.lagSeconds) s behind"
    }
}

public struct ReplicaCheckFailure: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
