import CSodium

/// argon2id cost: iterations (`t`, libsodium's opslimit) and memory (`m`, memlimit, bytes).
/// Parallelism is always 1 in libsodium. The parameters are written into every hash
/// (`$argon2id$v=19$m=65536,t=2,p=1$…`), so raising them later rehashes at the next log-in.
public struct PasswordHashingParameters: Sendable, Equatable, CustomStringConvertible {
    public var iterations: UInt64
    public var memoryBytes: Int

    public init(iterations: UInt64, memoryBytes: Int) {
        self.iterations = iterations
        self.memoryBytes = memoryBytes
    }

    /// libsodium's INTERACTIVE preset, t = 2, m = 64 MiB: the production default, above OWASP's
    /// argon2id minimum (m = 19 MiB, t = 2, p = 1).
    public static let interactive = PasswordHashingParameters(
        iterations: parley_pwhash_argon2id_opslimit_interactive(),
        memoryBytes: parley_pwhash_argon2id_memlimit_interactive())

    /// The smallest cost libsodium accepts (t = 1, m = 8 KiB). Tests only: it protects nothing.
    public static let minimum = PasswordHashingParameters(
        iterations: parley_pwhash_argon2id_opslimit_min(),
        memoryBytes: parley_pwhash_argon2id_memlimit_min())

    /// Whether these are at least one of OWASP's argon2id configurations (m = 47104 KiB t = 1,
    /// 19456/2, 12288/3, 9216/4, 7168/5): memory ≥ 7 MiB and memory × iterations ≥ 35 MiB.
    public var meetsOWASPMinimum: Bool {
        let kibibytes = UInt64(memoryBytes / 1024)
        return kibibytes >= 7168 && kibibytes * iterations >= 35840
    }

    /// Within what libsodium accepts.
    public var isSupported: Bool {
        iterations >= parley_pwhash_argon2id_opslimit_min() && iterations <= UInt64(UInt32.max)
            && memoryBytes >= parley_pwhash_argon2id_memlimit_min() && memoryBytes <= parley_pwhash_argon2id_memlimit_max()
    }

    public var description: String { "argon2id m=\(memoryBytes / 1024) KiB t=\(iterations) p=1" }
}
