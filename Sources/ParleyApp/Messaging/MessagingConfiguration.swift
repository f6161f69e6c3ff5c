import CivilTime

/// Limits of the messaging API, from the environment:
///
/// | variable | default | meaning |
/// | --- | --- | --- |
/// | `PARLEY_MESSAGE_MAX_LENGTH` | 10000 | longest message body, in characters (Unicode scalars, as PostgreSQL's `char_length` counts) |
/// | `PARLEY_MESSAGE_RATE_LIMIT` | 5 | messages one user may post per window (across every parley instance) |
/// | `PARLEY_MESSAGE_RATE_WINDOW_SECONDS` | 60 | the sliding window of that limit |
/// | `PARLEY_CHAT_CLOSED_HOURS` | unset (always open) | e.g. `21-6`: the conversation and message endpoints answer 403 from 21:00 to 06:00 |
/// | `PARLEY_CHAT_TIMEZONE` | `UTC` | the IANA time zone those hours are read in |
public struct MessagingConfiguration: Sendable {
    public var maxBodyLength = 10_000
    public var messageRateLimit = 5
    public var messageRateWindow: Duration = .seconds(60)
    /// When the chat is closed; nil: always open.
    var closedHours: ClosedHours?

    public init() {}

    public static func fromEnvironment(_ environment: [String: String]) throws -> MessagingConfiguration {
        var configuration = MessagingConfiguration()
        if let value = try positiveInt(environment, "PARLEY_MESSAGE_MAX_LENGTH") { configuration.maxBodyLength = value }
        if let value = try positiveInt(environment, "PARLEY_MESSAGE_RATE_LIMIT") { configuration.messageRateLimit = value }
        if let value = try positiveInt(environment, "PARLEY_MESSAGE_RATE_WINDOW_SECONDS") { configuration.messageRateWindow = .seconds(value) }
        var timeZone = ZoneRules.utc
        if let name = environment["PARLEY_CHAT_TIMEZONE"], !name.isEmpty {
            guard let zone = ZoneRules(identifier: name) else {
                throw ConfigurationError("PARLEY_CHAT_TIMEZONE must be an IANA time zone such as UTC or Europe/Paris, got \"\(name)\".")
            }
            timeZone = zone
        }
        if let text = environment["PARLEY_CHAT_CLOSED_HOURS"], !text.isEmpty {
            guard let hours = ClosedHours(parsing: text, timeZone: timeZone) else {
                throw ConfigurationError("PARLEY_CHAT_CLOSED_HOURS must be two different hours 0-23 such as 21-6, got \"\(text)\".")
            }
            configuration.closedHours = hours
        }
        return configuration
    }

    /// Defaults, always open.
    public static func testing() -> MessagingConfiguration {
        MessagingConfiguration()
    }

    private static func positiveInt(_ environment: [String: String], _ key: String) throws -> Int? {
        guard let text = environment[key], !text.isEmpty else { return nil }
        guard let value = Int(text), value > 0 else { throw ConfigurationError("\(key) must be a positive whole number, got \"\(text)\".") }
        return value
    }
}
