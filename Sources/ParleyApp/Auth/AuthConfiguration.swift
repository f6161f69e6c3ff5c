import Foundation

/// Token settings. The signing key comes from `PARLEY_JWT_SECRET` (at least 32 bytes of text)
/// or `PARLEY_JWT_SECRET_FILE`; every instance behind one nginx must share it.
public struct AuthConfiguration: Sendable {
    public var jwtKey: [UInt8]
    /// True when no key was configured and a random one was made for this process only.
    public var jwtKeyIsEphemeral = false
    public var accessTokenLifetime: Duration = .seconds(5 * 60)
    public var refreshTokenLifetime: Duration = .seconds(24 * 60 * 60)

    public init(jwtKey: [UInt8]) {
        self.jwtKey = jwtKey
    }

    public static func fromEnvironment(_ environment: [String: String]) throws -> AuthConfiguration {
        var configuration: AuthConfiguration
        if let secret = environment["PARLEY_JWT_SECRET"], !secret.isEmpty {
            guard secret.utf8.count >= 32 else { throw ConfigurationError("PARLEY_JWT_SECRET must be at least 32 bytes long.") }
            configuration = AuthConfiguration(jwtKey: Array(secret.utf8))
        } else if let path = environment["PARLEY_JWT_SECRET_FILE"], !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError("PARLEY_JWT_SECRET_FILE \(path) cannot be read.")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.utf8.count >= 32 else { throw ConfigurationError("The key in PARLEY_JWT_SECRET_FILE must be at least 32 bytes long.") }
            configuration = AuthConfiguration(jwtKey: Array(text.utf8))
        } else {
            configuration = AuthConfiguration(jwtKey: Sodium.randomBytes(32))
            configuration.jwtKeyIsEphemeral = true
        }
        if let minutes = environment["PARLEY_ACCESS_TOKEN_MINUTES"], !minutes.isEmpty {
            guard let value = Int(minutes), value > 0 else { throw ConfigurationError("PARLEY_ACCESS_TOKEN_MINUTES must be a positive whole number.") }
            configuration.accessTokenLifetime = .seconds(value * 60)
        }
        if let hours = environment["PARLEY_REFRESH_TOKEN_HOURS"], !hours.isEmpty {
            guard let value = Int(hours), value > 0 else { throw ConfigurationError("PARLEY_REFRESH_TOKEN_HOURS must be a positive whole number.") }
            configuration.refreshTokenLifetime = .seconds(value * 3600)
        }
        return configuration
    }
}
