import Foundation
import ParleyTesting
import Logging
import Synchronization
import Testing

@testable import Postgres

/// The Postgres layer's view of the one ``TestEnvironment``: connections to the test cluster
/// with a test logger.
extension TestEnvironment {
    static func configuration() throws -> PostgresConfiguration {
        var configuration = PostgresConfiguration(url: try databaseURL)
        configuration.slowQueryThreshold = .seconds(5)
        return configuration
    }

    static let logger: Logger = {
        var logger = Logger(label: "parley.postgres.tests")
        logger.logLevel = values["PARLEY_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }()

    static func connect(_ configure: (inout PostgresConfiguration) -> Void = { _ in }) throws -> PostgresConnection {
        var configuration = try configuration()
        configure(&configuration)
        return try PostgresConnection(configuration: configuration, logger: logger)
    }

    /// A name no other test (or the app) uses: `prefix_1a2b3c4d`.
    static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.prefix(8).lowercased()
    }
}
