import ParleyCommands
import Postgres
import Testing

/// The executable maps the environment into the Postgres module's neutral configuration.
@Suite("Database settings from the environment")
struct PostgresEnvironmentTests {
    @Test("DATABASE_URL is required, with a clear error")
    func missingURL() {
        let error = #expect(throws: PostgresError.self) { try PostgresConfiguration.fromEnvironment([:]) }
        #expect(error?.kind == .configuration)
        #expect(error?.description == "PostgresError(configuration): DATABASE_URL is not set; set it to a libpq URI such as postgresql://parley@localhost:5432/parley")
    }

    @Test("defaults, and overrides from PARLEY_DB_*")
    func overrides() throws {
        let defaults = try PostgresConfiguration.fromEnvironment(["DATABASE_URL": "postgresql:///parley"])
        #expect(defaults.url == "postgresql:///parley")
        #expect(defaults.statementTimeout == .seconds(30))
        #expect(defaults.lockTimeout == .seconds(10))
        #expect(defaults.idleInTransactionSessionTimeout == .seconds(60))
        #expect(defaults.slowQueryThreshold == .milliseconds(200))
        #expect(defaults.applicationName == "parley")
        #expect(defaults.connectTimeout == 5)

        let custom = try PostgresConfiguration.fromEnvironment([
            "DATABASE_URL": "postgresql:///parley",
            "PARLEY_DB_STATEMENT_TIMEOUT_MS": "1500",
            "PARLEY_DB_LOCK_TIMEOUT_MS": "250",
            "PARLEY_DB_IDLE_TX_TIMEOUT_MS": "0",
            "PARLEY_DB_SLOW_QUERY_MS": "50",
        ])
        #expect(custom.statementTimeout == .milliseconds(1500))
        #expect(custom.lockTimeout == .milliseconds(250))
        #expect(custom.idleInTransactionSessionTimeout == .zero)
        #expect(custom.slowQueryThreshold == .milliseconds(50))
    }

    @Test("a malformed timeout names the variable")
    func malformed() {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConfiguration.fromEnvironment(["DATABASE_URL": "x", "PARLEY_DB_LOCK_TIMEOUT_MS": "ten"])
        }
        #expect(error?.description == #"PostgresError(configuration): PARLEY_DB_LOCK_TIMEOUT_MS must be a whole number of milliseconds (0 or more), got "ten""#)
    }
}
