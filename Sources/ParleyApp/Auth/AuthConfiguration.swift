import FoundationEssentials
import Web

/// Token, password and log-in settings, from the environment.
///
/// | variable | default | meaning |
/// | --- | --- | --- |
/// | `PARLEY_JWT_SECRET` or `PARLEY_JWT_SECRET_FILE` | random per process | HS256 key, ≥ 32 bytes and not weak or published (``SigningKeyCheck``), a file of mode 0600; every instance behind one nginx must share it |
/// | `PARLEY_ACCESS_TOKEN_MINUTES` | 5 | access token lifetime |
/// | `PARLEY_REFRESH_TOKEN_HOURS` | 24 | refresh token lifetime (each rotation starts a new one) |
/// | `PARLEY_REFRESH_FAMILY_DAYS` | 30 | absolute lifetime of an API log-in: past it, refreshing answers 401 however often it was rotated |
/// | `PARLEY_PASSWORD_HASH_ITERATIONS` | 2 | argon2id t (libsodium opslimit) |
/// | `PARLEY_PASSWORD_HASH_MEMORY_KIB` | 65536 | argon2id m in KiB (64 MiB, libsodium INTERACTIVE); with t, must meet OWASP's minimum (m = 19 MiB t = 2 or an equivalent) |
/// | `PARLEY_PASSWORD_HASH_CONCURRENCY` | max(1, cores / 2) | hashes running at once, process-wide |
/// | `PARLEY_PASSWORD_HASH_QUEUE` | 2 × concurrency | callers allowed to wait for a slot; beyond, 503 at once |
/// | `PARLEY_PASSWORD_HASH_WAIT_MS` | 2000 | longest wait for a slot before 503 with `Retry-After` |
/// | `PARLEY_PASSWORD_MIN_LENGTH` | 8 | Django's `MinimumLengthValidator`, in characters |
/// | `PARLEY_COMMON_PASSWORDS_FILE` | Django's list (shipped) | Django's `CommonPasswordValidator` list: one lowercased password per line |
/// | `PARLEY_LOGIN_FAILURES_PER_ACCOUNT` | 10 | failed log-ins per account per window, then 429 |
/// | `PARLEY_LOGIN_FAILURES_PER_ADDRESS` | 50 | failed log-ins per client address (IPv6: per /64) per window, then 429 |
/// | `PARLEY_LOGIN_FAILURE_WINDOW_SECONDS` | 900 | the sliding window of both |
/// | `PARLEY_REGISTRATIONS_PER_ADDRESS` | 20 | sign-ups per client address per window (each costs an argon2id hash), then 429 |
/// | `PARLEY_REGISTRATION_WINDOW_SECONDS` | 3600 | their sliding window |
public struct AuthConfiguration: Sendable {
    public var jwtKey: [UInt8]
    /// True when no key was configured and a random one was made for this process only.
    public var jwtKeyIsEphemeral = false
    public var accessTokenLifetime: Duration = .seconds(5 * 60)
    public var refreshTokenLifetime: Duration = .seconds(24 * 60 * 60)
    /// An API log-in's refresh-token family ends this many days after the log-in.
    public var refreshFamilyDays = 30

    /// argon2id cost of new hashes; stored hashes with other parameters are rehashed at log-in.
    public var passwordHashing: PasswordHashingParameters = .interactive
    public var passwordHashConcurrency = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
    public var passwordHashQueueLimit = 2 * max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
    public var passwordHashWaitTimeout: Duration = .seconds(2)
    public var passwordMinimumLength = 8
    /// Passwords refused as too common (``PasswordPolicy``).
    public var commonPasswords: CommonPasswordList = .bundled
    /// Longer passwords are refused with a 400 (argon2id would take them, but a megabyte of
    /// "password" is an attack on the request path, not a password).
    public var maxPasswordBytes = 4096

    public var loginFailuresPerAccount = 10
    public var loginFailuresPerAddress = 50
    public var loginFailureWindow: Duration = .seconds(15 * 60)
    public var registrationsPerAddress = 20
    public var registrationWindow: Duration = .seconds(60 * 60)

    public init(jwtKey: [UInt8]) {
        self.jwtKey = jwtKey
    }

    /// For tests: a random key, the cheapest argon2id libsodium allows (so tests run fast; one
    /// test checks the production parameters) and a per-address log-in limit high enough that
    /// every test sharing 127.0.0.1 does not trip it (nor the per-address sign-up limit).
    public static func testing() -> AuthConfiguration {
        var configuration = AuthConfiguration(jwtKey: Sodium.randomBytes(32))
        configuration.passwordHashing = .minimum
        configuration.passwordHashConcurrency = 4
        configuration.passwordHashQueueLimit = 64
        configuration.loginFailuresPerAddress = 100_000
        configuration.registrationsPerAddress = 1_000_000
        return configuration
    }

    public static func fromEnvironment(_ environment: [String: String]) throws -> AuthConfiguration {
        var configuration: AuthConfiguration
        if let secret = environment["PARLEY_JWT_SECRET"], !secret.isEmpty {
            if let weakness = SigningKeyCheck.weakness(of: Array(secret.utf8)) {
                throw ConfigurationError("PARLEY_JWT_SECRET is refused: \(weakness); \(SigningKeyCheck.howToMake).")
            }
            configuration = AuthConfiguration(jwtKey: Array(secret.utf8))
        } else if let path = environment["PARLEY_JWT_SECRET_FILE"], !path.isEmpty {
            try SigningKeyCheck.checkFilePermissions(path)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError("PARLEY_JWT_SECRET_FILE \(path) cannot be read.")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingWhitespaceAndNewlines()
            if let weakness = SigningKeyCheck.weakness(of: Array(text.utf8)) {
                throw ConfigurationError("The key in PARLEY_JWT_SECRET_FILE \(path) is refused: \(weakness); \(SigningKeyCheck.howToMake) > \(path).")
            }
            configuration = AuthConfiguration(jwtKey: Array(text.utf8))
        } else {
            configuration = AuthConfiguration(jwtKey: Sodium.randomBytes(32))
            configuration.jwtKeyIsEphemeral = true
        }
        let read = EnvironmentReader(environment)
        if let minutes = try read.positive("PARLEY_ACCESS_TOKEN_MINUTES") {
            configuration.accessTokenLifetime = .seconds(minutes * 60)
        }
        if let hours = try read.positive("PARLEY_REFRESH_TOKEN_HOURS") {
            configuration.refreshTokenLifetime = .seconds(hours * 3600)
        }

        if let days = try read.positive("PARLEY_REFRESH_FAMILY_DAYS") {
            guard days <= 3650 else { throw ConfigurationError("PARLEY_REFRESH_FAMILY_DAYS must be at most 3650 (ten years).") }
            configuration.refreshFamilyDays = days
        }
        if let iterations = try read.positive("PARLEY_PASSWORD_HASH_ITERATIONS") {
            configuration.passwordHashing.iterations = UInt64(iterations)
        }
        if let kibibytes = try read.positive("PARLEY_PASSWORD_HASH_MEMORY_KIB") {
            configuration.passwordHashing.memoryBytes = kibibytes * 1024
        }
        guard configuration.passwordHashing.isSupported else {
            throw ConfigurationError("PARLEY_PASSWORD_HASH_ITERATIONS / PARLEY_PASSWORD_HASH_MEMORY_KIB are outside what libsodium accepts.")
        }
        guard configuration.passwordHashing.meetsOWASPMinimum else {
            throw ConfigurationError(
                "argon2id \(configuration.passwordHashing) is below OWASP's minimum (m = 19456 KiB with t = 2, or an equivalent); raise PARLEY_PASSWORD_HASH_MEMORY_KIB or PARLEY_PASSWORD_HASH_ITERATIONS.")
        }
        if let concurrency = try read.positive("PARLEY_PASSWORD_HASH_CONCURRENCY") {
            configuration.passwordHashConcurrency = concurrency
            configuration.passwordHashQueueLimit = 2 * concurrency
        }
        if let queue = try read.nonNegative("PARLEY_PASSWORD_HASH_QUEUE") {
            configuration.passwordHashQueueLimit = queue
        }
        if let milliseconds = try read.nonNegative("PARLEY_PASSWORD_HASH_WAIT_MS") {
            configuration.passwordHashWaitTimeout = .milliseconds(milliseconds)
        }
        if let length = try read.positive("PARLEY_PASSWORD_MIN_LENGTH") {
            configuration.passwordMinimumLength = length
        }
        if let path = environment["PARLEY_COMMON_PASSWORDS_FILE"], !path.isEmpty {
            configuration.commonPasswords = CommonPasswordList(contentsOf: path)
        }
        try configuration.commonPasswords.check()
        if let limit = try read.positive("PARLEY_LOGIN_FAILURES_PER_ACCOUNT") {
            configuration.loginFailuresPerAccount = limit
        }
        if let limit = try read.positive("PARLEY_LOGIN_FAILURES_PER_ADDRESS") {
            configuration.loginFailuresPerAddress = limit
        }
        if let seconds = try read.positive("PARLEY_LOGIN_FAILURE_WINDOW_SECONDS") {
            configuration.loginFailureWindow = .seconds(seconds)
        }
        if let limit = try read.positive("PARLEY_REGISTRATIONS_PER_ADDRESS") {
            configuration.registrationsPerAddress = limit
        }
        if let seconds = try read.positive("PARLEY_REGISTRATION_WINDOW_SECONDS") {
            configuration.registrationWindow = .seconds(seconds)
        }
        return configuration
    }
}

/// Whole-number settings; errors name the variable.
private struct EnvironmentReader {
    let environment: [String: String]
    init(_ environment: [String: String]) { self.environment = environment }

    func positive(_ key: String) throws -> Int? {
        guard let text = environment[key], !text.isEmpty else { return nil }
        guard let value = Int(text), value > 0 else { throw ConfigurationError("\(key) must be a positive whole number.") }
        return value
    }

    func nonNegative(_ key: String) throws -> Int? {
        guard let text = environment[key], !text.isEmpty else { return nil }
        guard let value = Int(text), value >= 0 else { throw ConfigurationError("\(key) must be a whole number, 0 or more.") }
        return value
    }
}
