import Foundation
@testable import ParleyApp
import Testing

/// The start-up check of the token signing key (`PARLEY_JWT_SECRET` / `PARLEY_JWT_SECRET_FILE`).
@Suite("Signing key check")
struct SigningKeyCheckTests {
    @Test("published, placeholder, short and low-variety keys are refused", arguments: [
        "development-only-jwt-secret-change-me-0123456789",  // the old docker-compose default
        "DEVELOPMENT-ONLY-JWT-SECRET-CHANGE-ME-0123456789",
        "changeme", "secret", "your-256-bit-secret", "password",
        "please-change-me-before-going-to-production-0123456789",
        "short-but-random-Xq9!",  // < 32 bytes
        String(repeating: "a", count: 64),  // one byte value
        String(repeating: "secret", count: 8),  // a repeated word
        "abcdefghijklmnopabcdefghijklmnopabcdefghijklmnop",  // a repeated 16-byte block
        "0123456789012345678901234567890123456789",  // ten digits, repeated
        "1212121212121212121212121212121212121212",
    ])
    func refused(_ key: String) {
        #expect(SigningKeyCheck.weakness(of: Array(key.utf8)) != nil, "\(key) was accepted")
    }

    @Test("random keys as openssl makes them are accepted")
    func accepted() {
        // openssl rand -base64 48, and -hex 32
        #expect(SigningKeyCheck.weakness(of: Array("3kq7VJd0m8Yp2c1nQw+Zr5x/9HbT6uLfA4sEoGiXyCjKvN7MhR2tW8eP0aBdUlSg".utf8)) == nil)
        #expect(SigningKeyCheck.weakness(of: Array("9f2c4e81b7a05d3c6e19f8a2b4d07c5e3a1f6b9d8c2e4a7f0b3d5c9e1a8f6b2d".utf8)) == nil)
        for _ in 0..<20 {
            #expect(SigningKeyCheck.weakness(of: Array(Sodium.randomToken(bytes: 32).utf8)) == nil)
        }
    }

    @Test("the environment: a weak PARLEY_JWT_SECRET is refused with the variable and the way to make one")
    func environmentMessage() {
        #expect {
            try AuthConfiguration.fromEnvironment(["PARLEY_JWT_SECRET": "development-only-jwt-secret-change-me-0123456789"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("PARLEY_JWT_SECRET") && text.contains("openssl rand -base64 48")
        }
    }

    @Test("a key file with group or other bits is refused, naming the file and chmod 0600; 0600 is accepted")
    func filePermissions() throws {
        let path = NSTemporaryDirectory() + "parley-key-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Sodium.randomToken(bytes: 48).write(toFile: path, atomically: false, encoding: .utf8)
        for mode in [0o640, 0o604, 0o644, 0o660, 0o610] {
            #expect(chmod(path, mode_t(mode)) == 0)
            #expect {
                try AuthConfiguration.fromEnvironment(["PARLEY_JWT_SECRET_FILE": path])
            } throws: { error in
                let text = "\(error)"
                return text.contains(path) && text.contains("chmod 0600 \(path)")
            }
        }
        #expect(chmod(path, 0o600) == 0)
        let configuration = try AuthConfiguration.fromEnvironment(["PARLEY_JWT_SECRET_FILE": path])
        #expect(!configuration.jwtKeyIsEphemeral)
        #expect(configuration.jwtKey.count == 64)
    }

    @Test("a weak key in a 0600 file is refused too")
    func weakFile() throws {
        let path = NSTemporaryDirectory() + "parley-key-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (String(repeating: "x", count: 40) + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chmod(path, 0o600) == 0)
        #expect {
            try AuthConfiguration.fromEnvironment(["PARLEY_JWT_SECRET_FILE": path])
        } throws: { error in "\(error)".contains(path) && "\(error)".contains("openssl rand -base64 48") }
    }
}
