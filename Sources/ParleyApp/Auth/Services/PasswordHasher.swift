import CSodium
import FoundationEssentials
import Synchronization

/// argon2id password hashes through libsodium (`crypto_pwhash_str_alg`), in the PHC string
/// format that carries its own salt and parameters.
///
/// - Passwords are NFKC-normalised (NIST SP 800-63B §5.1.1.2) and then used whole: nothing is
///   truncated. Callers cap the length (``AuthConfiguration/maxPasswordBytes``).
/// - Every hash and verification runs inside one ``ConcurrencyGate`` shared by the process, so
///   a log-in flood uses at most `concurrency` cores; past the gate's queue or wait it throws
///   ``PasswordHashingError/busy``.
/// - ``verifyUnknownUser(_:)`` spends the same time as a real verification, against a dummy
///   hash made once with the same parameters, so an unknown username answers no faster.
public final class PasswordHasher: Sendable {
    public let parameters: PasswordHashingParameters
    let gate: ConcurrencyGate
    private let dummyHash = Mutex<String?>(nil)

    public init(parameters: PasswordHashingParameters, concurrency: Int, queueLimit: Int, waitTimeout: Duration) {
        precondition(parameters.isSupported, "unsupported argon2id parameters: \(parameters)")
        Sodium.ensureInitialized()
        self.parameters = parameters
        self.gate = ConcurrencyGate(limit: max(1, concurrency), queueLimit: max(0, queueLimit), timeout: waitTimeout)
    }

    public convenience init(configuration: AuthConfiguration) {
        self.init(
            parameters: configuration.passwordHashing, concurrency: configuration.passwordHashConcurrency,
            queueLimit: configuration.passwordHashQueueLimit, waitTimeout: configuration.passwordHashWaitTimeout)
    }

    /// A new hash of `password` with a fresh salt and this hasher's parameters.
    public func hash(_ password: String) throws(PasswordHashingError) -> String {
        try guarded { try Self.argon2id(Self.normalized(password), parameters) }
    }

    /// Whether `password` matches `hash` (any argon2 variant libsodium knows). A malformed hash
    /// does not match.
    public func verify(_ password: String, against hash: String) throws(PasswordHashingError) -> Bool {
        // A stored value that is no argon2 hash (an unusable password) would fail in microseconds;
        // spend the usual time so it does not stand out.
        guard hash.hasPrefix("$argon2") else {
            try verifyUnknownUser(password)
            return false
        }
        let bytes = Self.normalized(password)
        return try guarded { Self.verify(bytes, hash) }
    }

    /// The cost of a failed verification, for a log-in whose user does not exist.
    public func verifyUnknownUser(_ password: String) throws(PasswordHashingError) {
        let bytes = Self.normalized(password)
        let parameters = self.parameters
        try guarded {
            let dummy = try dummyHash.withLock { dummy in
                if let dummy { return dummy }
                let made = try Self.argon2id(Array(Sodium.randomToken().utf8), parameters)
                dummy = made
                return made
            }
            _ = Self.verify(bytes, dummy)
        }
    }

    /// True when `hash` is not argon2id with exactly this hasher's parameters (an older cost,
    /// argon2i, or something else): the log-in that just verified it should store a new one.
    public func needsRehash(_ hash: String) -> Bool {
        guard hash.utf8.count < parley_pwhash_argon2id_strbytes(), !hash.utf8.contains(0) else { return true }
        return crypto_pwhash_argon2id_str_needs_rehash(hash, parameters.iterations, parameters.memoryBytes) != 0
    }

    // MARK: - libsodium

    private func guarded<T>(_ body: () throws -> T) throws(PasswordHashingError) -> T {
        do {
            return try gate.run(body)
        } catch let error as PasswordHashingError {
            throw error
        } catch {
            throw .busy
        }
    }

    static func normalized(_ password: String) -> [UInt8] {
        Array(password.nfkcNormalized.utf8)
    }

    private static func argon2id(_ password: [UInt8], _ parameters: PasswordHashingParameters) throws(PasswordHashingError) -> String {
        var output = [CChar](repeating: 0, count: parley_pwhash_strbytes())
        let status = withPasswordPointer(password) { pointer, count in
            crypto_pwhash_str_alg(&output, pointer, count, parameters.iterations, parameters.memoryBytes, parley_pwhash_alg_argon2id13())
        }
        // Fails only when the memory cannot be allocated.
        guard status == 0 else { throw .failed }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func verify(_ password: [UInt8], _ hash: String) -> Bool {
        guard hash.utf8.count < parley_pwhash_strbytes(), !hash.utf8.contains(0) else { return false }
        return withPasswordPointer(password) { pointer, count in crypto_pwhash_str_verify(hash, pointer, count) } == 0
    }

    private static func withPasswordPointer<R>(_ password: [UInt8], _ body: (UnsafePointer<CChar>, UInt64) -> R) -> R {
        password.withUnsafeBytes { raw in
            // An empty array may have no storage; libsodium wants a pointer even for length 0.
            guard let base = raw.baseAddress else {
                return withUnsafePointer(to: CChar(0)) { body($0, 0) }
            }
            return body(base.assumingMemoryBound(to: CChar.self), UInt64(raw.count))
        }
    }
}

/// Why a password could not be hashed or checked. Neither case says anything about the password.
public struct PasswordHashingError: Error, Equatable, CustomStringConvertible {
    enum Kind: Equatable { case busy, failed }
    let kind: Kind

    /// Too many hashes running or queued; try again shortly (a 503 with `Retry-After`).
    public static let busy = PasswordHashingError(kind: .busy)
    /// libsodium could not allocate the memory argon2id needs.
    public static let failed = PasswordHashingError(kind: .failed)

    public var description: String {
        switch kind {
        case .busy: "password hashing is at its concurrency limit"
        case .failed: "argon2id failed (out of memory?)"
        }
    }
}
