import FoundationEssentials

/// How long a browser session lasts, from the environment:
///
/// | variable | default | meaning |
/// | --- | --- | --- |
/// | `PARLEY_SESSION_IDLE_MINUTES` | 120 | a session unused this long is over (log in again) |
/// | `PARLEY_SESSION_ABSOLUTE_HOURS` | 336 | no session lives longer than this (14 days), however busy |
public struct SessionConfiguration: Sendable {
    public var idleTimeout: Duration = .seconds(2 * 60 * 60)
    public var absoluteLifetime: Duration = .seconds(14 * 24 * 60 * 60)
    /// `last_seen_at` is written at most this often per session, so that a page view is not
    /// always a write; the idle timeout is therefore exact to within this much.
    public var touchInterval: Duration = .seconds(60)

    public init() {}

    public static func fromEnvironment(_ environment: [String: String]) throws -> SessionConfiguration {
        var configuration = SessionConfiguration()
        if let minutes = try positive(environment, "PARLEY_SESSION_IDLE_MINUTES") {
            configuration.idleTimeout = .seconds(minutes * 60)
        }
        if let hours = try positive(environment, "PARLEY_SESSION_ABSOLUTE_HOURS") {
            configuration.absoluteLifetime = .seconds(hours * 3600)
        }
        guard configuration.idleTimeout <= configuration.absoluteLifetime else {
            throw ConfigurationError("PARLEY_SESSION_IDLE_MINUTES must not be longer than PARLEY_SESSION_ABSOLUTE_HOURS.")
        }
        return configuration
    }

    private static func positive(_ environment: [String: String], _ key: String) throws -> Int? {
        guard let text = environment[key], !text.isEmpty else { return nil }
        guard let value = Int(text), value > 0 else { throw ConfigurationError("\(key) must be a positive whole number, got \"\(text)\".") }
        return value
    }
}

extension Duration {
    /// Whole seconds (rounded down), for SQL intervals and cookie `Max-Age`.
    var wholeSeconds: Int { Int(components.seconds) }
}
