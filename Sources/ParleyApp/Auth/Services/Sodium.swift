import CSodium
import FoundationEssentials

/// The libsodium primitives Parley uses, behind Swift signatures: random bytes, SHA-256,
/// HMAC-SHA256 and constant-time comparison. `sodium_init` runs once, before first use.
public enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    static func ensureInitialized() {
        precondition(initialized, "libsodium failed to initialise")
    }

    /// `count` cryptographically secure random bytes.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        ensureInitialized()
        var bytes = [UInt8](repeating: 0, count: count)
        if count > 0 { bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) } }
        return bytes
    }

    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
        ensureInitialized()
        let input = Array(data)
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        _ = input.withUnsafeBufferPointer { crypto_hash_sha256(&digest, $0.baseAddress, UInt64($0.count)) }
        return digest
    }

    public static func hmacSHA256(key: [UInt8], message: some Collection<UInt8>) -> [UInt8] {
        HMACKey(key).authenticate(message)
    }

    /// Compares in time independent of where the inputs differ.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in sodium_memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }

    /// A random URL-safe token carrying `bytes` of entropy (session and refresh token secrets).
    public static func randomToken(bytes: Int = 32) -> String {
        Base64URL.encode(randomBytes(bytes))
    }

    /// Lowercase hex SHA-256 of a string: how token secrets are stored (never the secret itself).
    public static func sha256Hex(_ text: String) -> String {
        hex(sha256(Array(text.utf8)))
    }

    /// Lowercase hex of `bytes` (token hashes).
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// An HMAC-SHA256 key with its inner and outer padded blocks already hashed. Each MAC starts
/// from a copy of that state instead of `crypto_auth_hmacsha256_init`, which hashed both blocks
/// again for every token checked (bench/README.md, "API requests: tokens, identifiers and ETags").
public struct HMACKey: @unchecked Sendable {
    // @unchecked: a plain C struct of hash words and bytes, copied and never written after init.
    private let keyed: crypto_auth_hmacsha256_state

    public init(_ key: [UInt8]) {
        Sodium.ensureInitialized()
        precondition(!key.isEmpty, "an HMAC key has at least one byte")
        var state = crypto_auth_hmacsha256_state()
        _ = key.withUnsafeBufferPointer { crypto_auth_hmacsha256_init(&state, $0.baseAddress!, $0.count) }
        keyed = state
    }

    /// The 32-byte HMAC-SHA256 of `message`.
    public func authenticate(_ message: some Collection<UInt8>) -> [UInt8] {
        var state = keyed
        var mac = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        let done: Void? = message.withContiguousStorageIfAvailable {
            _ = crypto_auth_hmacsha256_update(&state, $0.baseAddress, UInt64($0.count))
        }
        if done == nil {
            _ = Array(message).withUnsafeBufferPointer { crypto_auth_hmacsha256_update(&state, $0.baseAddress, UInt64($0.count)) }
        }
        _ = crypto_auth_hmacsha256_final(&state, &mac)
        return mac
    }
}
