import Foundation
import Testing

@testable import Postgres

@Suite("Configuration")
struct PostgresConfigurationTests {
    @Test("DATABASE_URL is required, with a clear error")
    func missingURL() {
        let error = #expect(throws: PostgresError.self) { try PostgresConfiguration.fromEnvironment([:]) }
        #expect(error?.kind == .configuration)
        #expect(error?.description.contains("DATABASE_URL") == true)
    }

    @Test("defaults, and overrides from PARLEY_DB_*")
    func overrides() throws {
        let defaults = try PostgresConfiguration.fromEnvironment(["DATABASE_URL": "postgresql:///parley"])
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
        #expect(custom.sessionSettingsSQL
            == "SET statement_timeout = 1500; SET lock_timeout = 250; SET idle_in_transaction_session_timeout = 0")
    }

    @Test("a malformed timeout names the variable")
    func malformed() {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConfiguration.fromEnvironment(["DATABASE_URL": "x", "PARLEY_DB_LOCK_TIMEOUT_MS": "ten"])
        }
        #expect(error?.description.contains("PARLEY_DB_LOCK_TIMEOUT_MS") == true)
    }

    @Test("description hides the password")
    func redactsPassword() {
        let uri = PostgresConfiguration(url: "postgresql://parley:s3cret@db.internal:5432/parley?sslmode=require")
        #expect(!uri.description.contains("s3cret"))
        #expect(uri.description.contains("parley:***@db.internal"))
        let keywords = PostgresConfiguration(url: "host=db user=parley password=s3cret dbname=parley")
        #expect(!keywords.description.contains("s3cret"))
        let query = PostgresConfiguration(url: "postgresql:///parley?host=/run&password=s3cret&user=parley")
        #expect(!query.description.contains("s3cret"))
    }
}
