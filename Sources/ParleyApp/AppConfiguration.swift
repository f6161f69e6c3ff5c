import FoundationEssentials

/// Everything the application can be configured with, read once at start-up.
/// Each area has its own part (`AuthConfiguration`, …) with its own environment variables.
public struct AppConfiguration: Sendable {
    /// The TechEmpower benchmark routes of `make bench` (`parley serve --bench`); off otherwise.
    public var benchRoutes = false
    public var auth: AuthConfiguration
    public var messaging: MessagingConfiguration
    /// Browser sessions of the pages.
    public var sessions = SessionConfiguration()
    /// A read replica (`PARLEY_DATABASE_REPLICA_URL`); nil: every statement goes to the primary.
    public var replica: ReplicaConfiguration?
    /// Live updates: where nginx's Nchan publisher listens.
    public var live = LiveConfiguration()

    public init(auth: AuthConfiguration, messaging: MessagingConfiguration = MessagingConfiguration()) {
        self.auth = auth
        self.messaging = messaging
    }

    /// Reads every part from the environment; errors name the variable that is wrong.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfiguration {
        var configuration = AppConfiguration(
            auth: try AuthConfiguration.fromEnvironment(environment),
            messaging: try MessagingConfiguration.fromEnvironment(environment))
        configuration.sessions = try SessionConfiguration.fromEnvironment(environment)
        configuration.live = try LiveConfiguration.fromEnvironment(environment)
        return configuration
    }

    /// A configuration for tests: a fixed random key, default limits.
    public static func testing() -> AppConfiguration {
        AppConfiguration(auth: .testing(), messaging: .testing())
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
