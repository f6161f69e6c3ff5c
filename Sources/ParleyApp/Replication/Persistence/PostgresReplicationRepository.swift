import Postgres

/// The replication positions read routing needs: where the primary's WAL is after a write, and
/// how far a replica has replayed it.
struct PostgresReplicationRepository {
    let database: PostgresDatabase

    /// The primary's WAL insert position, read right after a write committed: at or past that
    /// write's commit record, so a replica that has replayed it shows the write.
    func insertLSN() throws -> String {
        try database.read { connection in
            guard let row = try connection.query("SELECT pg_current_wal_insert_lsn()::text AS lsn").first else {
                throw ReplicationQueryError.noRow
            }
            return try row.decode(String.self, column: "lsn")
        }
    }

    /// Whether this server is a standby, whether it has replayed `minimumLSN`, and its replay lag
    /// in seconds. While it streams (a WAL receiver runs) and has replayed all it received, the
    /// lag is 0, so an idle primary (nothing new to replay) does not look like a lagging
    /// replica; after a restart the received position starts at a segment boundary behind the
    /// replayed one, hence `<=`. Without a WAL receiver (cut off from the primary) the lag is
    /// the age of the last replayed transaction: a replica that may be missing writes serves
    /// nothing once that passes the limit.
    func status(minimumLSN: String) throws -> ReplicaStatus {
        try database.read { connection in
            let rows = try connection.query(
                """
                SELECT pg_is_in_recovery() AS standby,
                       COALESCE(pg_last_wal_replay_lsn() >= \(minimumLSN)::pg_lsn, false) AS caught_up,
                       (CASE WHEN EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
                                  AND pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
                             ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
                        END)::float8 AS lag
                """)
            guard let row = rows.first else { throw ReplicationQueryError.noRow }
            return ReplicaStatus(
                isStandby: try row.decode(Bool.self, column: "standby"),
                caughtUp: try row.decode(Bool.self, column: "caught_up"),
                lagSeconds: try row.decode(Double.self, column: "lag"))
        }
    }
}

struct ReplicaStatus {
    var isStandby: Bool
    var caughtUp: Bool
    var lagSeconds: Double
}

/// A one-row query that returned none (it cannot, short of a broken server).
enum ReplicationQueryError: Error {
    case noRow
}
