import Foundation
import Testing

@testable import Postgres

@Suite("Configuration")
struct PostgresConfigurationTests {
    @Test("defaults name no application; the session settings follow the properties")
    func defaults() {
        var configuration = PostgresConfiguration(url: "postgresql:///db")
        #expect(configuration.statementTimeout == .seconds(30))
        #expect(configuration.lockTimeout == .seconds(10))
        #expect(configuration.idleInTransactionSessionTimeout == .seconds(60))
        #expect(configuration.slowQueryThreshold == .milliseconds(200))
        #expect(configuration.connectTimeout == 5)
        #expect(configuration.applicationName == "")
        #expect(!configuration.connectionParameters.contains { $0.0 == "application_name" })

        configuration.applicationName = "app"
        configuration.statementTimeout = .milliseconds(1500)
        configuration.lockTimeout = .milliseconds(250)
        configuration.idleInTransactionSessionTimeout = .zero
        #expect(configuration.connectionParameters.first! == ("application_name", "app"))
        #expect(configuration.sessionSettingsSQL
            == "SET statement_timeout = 1500; SET lock_timeout = 250; SET idle_in_transaction_session_timeout = 0")
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
