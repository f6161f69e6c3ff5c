import Postgres

/// A PostgreSQL streaming replica for reads that may lag a little (lists, pages, search):
/// `PARLEY_DATABASE_REPLICA_URL`. Without one, every statement goes to `DATABASE_URL` as before.
public struct ReplicaConfiguration: Sendable {
    public var database: PostgresConfiguration
    /// A replica further behind than this serves nothing: reads go to the primary
    /// (`PARLEY_REPLICA_MAX_LAG`, seconds).
    public var maxLag: Duration = .seconds(5)
    /// How long a read waits for the replica to replay a write its client made before the
    /// primary answers it instead (`PARLEY_REPLICA_WAIT_MS`).
    public var readYourWritesWait: Duration = .milliseconds(100)
    /// How long a replica's health, once checked, is trusted; and how long one found down or
    /// lagging is left alone before it is asked again.
    public var recheckInterval: Duration = .seconds(1)
    /// How long the `parley_lsn` cookie (a client's last write position) lives: longer than any
    /// lag the replica may have while it still serves reads.
    public var positionCookieMaxAge = 60

    public init(database: PostgresConfiguration) {
        self.database = database
    }
}
