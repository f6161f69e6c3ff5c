import CivilTime
import FoundationEssentials
import Glibc

/// The rules a token signing key must pass before `parley serve` signs anything with it.
///
/// Whoever knows the key can mint an access token for any user, so a key that is published
/// (the old docker-compose default), a placeholder ("change-me"), short, or made of few
/// distinct bytes is refused at start-up instead of being used. A key file must be readable
/// by its owner only: no group or other permission bits at all.
public enum SigningKeyCheck {
    /// HS256 wants at least as many key bytes as the hash output (RFC 7518 §3.2).
    public static let minimumBytes = 32
    /// `openssl rand -base64 48` gives 64 characters with ~40 distinct; a hex key ~16.
    public static let minimumDistinctBytes = 10
    /// The longest block whose repetition is refused ("abcabcabc…").
    static let longestRepeatedBlock = 16

    /// How to make a good key, for the messages.
    public static let howToMake = "make one with: openssl rand -base64 48"

    /// Keys that have been published or are placeholders, compared case-insensitively; a key that
    /// contains one of the placeholder words is refused as well.
    static let knownKeys: Set<String> = [
        "development-only-jwt-secret-change-me-0123456789",  // docker-compose.yml's old default
        "your-256-bit-secret", "secret", "changeme", "change-me", "password", "parley", "jwt-secret",
    ]
    static let placeholderWords = ["change-me", "changeme", "change_me", "replace-me", "replaceme", "your-256-bit-secret", "development-only"]

    /// Why `key` must not be used, or nil when it may.
    public static func weakness(of key: [UInt8]) -> String? {
        let text = String(decoding: key, as: UTF8.self).lowercased()
        if knownKeys.contains(text) { return "it is a published or placeholder key" }
        if let word = placeholderWords.first(where: { text.contains($0) }) { return "it contains the placeholder \"\(word)\"" }
        guard key.count >= minimumBytes else { return "it is \(key.count) bytes long; at least \(minimumBytes) are needed" }
        let distinct = Set(key).count
        guard distinct >= minimumDistinctBytes else {
            return "it uses only \(distinct) different byte values; at least \(minimumDistinctBytes) are needed"
        }
        if let block = repeatedBlock(key) { return "it repeats a block of \(block) bytes" }
        return nil
    }

    /// The length of the shortest block that `key` is a repetition of (with a partial last one),
    /// when that block is at most ``longestRepeatedBlock`` bytes and repeats at least twice.
    static func repeatedBlock(_ key: [UInt8]) -> Int? {
        guard key.count >= 2 else { return nil }
        for period in 1...min(longestRepeatedBlock, key.count / 2) {
            var periodic = true
            for index in period..<key.count where key[index] != key[index - period] {
                periodic = false
                break
            }
            if periodic { return period }
        }
        return nil
    }

    /// Throws unless the key file at `path` has no group or other permission bits.
    public static func checkFilePermissions(_ path: String, variable: String = "PARLEY_JWT_SECRET_FILE") throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ConfigurationError("\(variable) \(path) cannot be read: \(String(cString: strerror(errno))).")
        }
        let mode = UInt32(info.st_mode) & 0o777
        guard mode & 0o077 == 0 else {
            throw ConfigurationError("""
                \(variable) \(path) is readable by others than its owner (mode \(String(mode, zeroPaddedTo: 4, radix: 8))): \
                anyone who can read it can sign tokens. Run: chmod 0600 \(path) (owned by the user parley runs as).
                """)
        }
    }
}
