import ParleyApp
import ParleyCommands
import Postgres
import Testing

/// `PARLEY_DATABASE_REPLICA_URL` and its companions, and the prepared-statement setting that
/// PgBouncer's transaction pooling needs.
@Suite("Replica and pooler settings from the environment")
struct ReplicaEnvironmentTests {
    @Test("no replica URL: no replica (every statement on DATABASE_URL)")
    func none() throws {
        #expect(try ReplicaConfiguration.fromEnvironment(["DATABASE_URL": "postgresql:///parley"]) == nil)
        #expect(try ReplicaConfiguration.fromEnvironment(["DATABASE_URL": "postgresql:///parley", "PARLEY_DATABASE_REPLICA_URL": " "]) == nil)
    }

    @Test("a replica URL: the primary's session settings, its own URL and name, 5 s max lag, 100 ms wait; overrides")
    func replica() throws {
        let base = ["DATABASE_URL": "postgresql:///parley", "PARLEY_DATABASE_REPLICA_URL": "postgresql://replica/parley", "PARLEY_DB_LOCK_TIMEOUT_MS": "250"]
        let replica = try #require(try ReplicaConfiguration.fromEnvironment(base))
        #expect(replica.database.url == "postgresql://replica/parley")
        #expect(replica.database.applicationName == "parley-replica")
        #expect(replica.database.lockTimeout == .milliseconds(250))
        #expect(replica.maxLag == .seconds(5))
        #expect(replica.readYourWritesWait == .milliseconds(100))
        let custom = try #require(try ReplicaConfiguration.fromEnvironment(base.merging(["PARLEY_REPLICA_MAX_LAG": "0.5", "PARLEY_REPLICA_WAIT_MS": "20"]) { $1 }))
        #expect(custom.maxLag == .milliseconds(500))
        #expect(custom.readYourWritesWait == .milliseconds(20))
    }

    @Test("malformed values name the variable")
    func malformed() {
        let base = ["DATABASE_URL": "x", "PARLEY_DATABASE_REPLICA_URL": "y"]
        for (key, value) in [("PARLEY_REPLICA_MAX_LAG", "soon"), ("PARLEY_REPLICA_MAX_LAG", "-1"), ("PARLEY_REPLICA_MAX_LAG", "nan"), ("PARLEY_REPLICA_WAIT_MS", "1e3")] {
            let error = #expect(throws: PostgresError.self) { try ReplicaConfiguration.fromEnvironment(base.merging([key: value]) { $1 }) }
            #expect(error?.description.contains(key) == true, "\(key)=\(value)")
        }
    }

    @Test("PARLEY_DB_PREPARED_STATEMENTS: 256 by default, 0 for PgBouncer before 1.21")
    func preparedStatements() throws {
        #expect(try PostgresConfiguration.fromEnvironment(["DATABASE_URL": "x"]).preparedStatementCacheSize == 256)
        #expect(try PostgresConfiguration.fromEnvironment(["DATABASE_URL": "x", "PARLEY_DB_PREPARED_STATEMENTS": "0"]).preparedStatementCacheSize == 0)
        #expect(throws: PostgresError.self) { try PostgresConfiguration.fromEnvironment(["DATABASE_URL": "x", "PARLEY_DB_PREPARED_STATEMENTS": "-1"]) }
    }
}
