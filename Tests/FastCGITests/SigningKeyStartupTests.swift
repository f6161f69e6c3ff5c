import Foundation
import ParleyTesting
import Testing

/// `parley serve` refuses to start with a key anyone could know or read: it exits non-zero
/// with a message that says what to do, before it listens.
@Suite("parley serve refuses weak or exposed signing keys", .enabled(if: TestEnvironment.runsIntegration))
struct SigningKeyStartupTests {
    func serve(_ environment: [String: String]) throws -> (status: Int32?, stderr: String, socket: String) {
        let socket = TestEnvironment.socketPath("weak-key")
        var environment = environment
        environment["DATABASE_URL"] = try TestEnvironment.databaseURL
        let child = try ChildProcess(
            executable: try TestEnvironment.parleyBinary,
            arguments: ["serve", "--listen", "unix:\(socket)", "--processes", "1", "--threads", "1"],
            environment: environment)
        defer { child.terminate() }
        let status = child.waitForExit(timeout: 20)
        usleep(100_000)  // the last of stderr
        return (status, child.standardError, socket)
    }

    @Test("a world-readable PARLEY_JWT_SECRET_FILE")
    func worldReadableFile() throws {
        let path = try TestEnvironment.scratchDirectory + "/readable-\(UUID().uuidString.prefix(8)).key"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "Zp3qR8vK1mX7cT2wN9bY4hL6sD0fJ5gA8eU3iO1kQ7rW2tE9yH4uB6nM0vC5xZ1a\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chmod(path, 0o644) == 0)
        let run = try serve(["PARLEY_JWT_SECRET": "", "PARLEY_JWT_SECRET_FILE": path])
        #expect(run.status != nil && run.status != 0, "parley serve kept running: \(run.stderr)")
        #expect(run.stderr.contains(path))
        #expect(run.stderr.contains("chmod 0600"))
        #expect(!FileManager.default.fileExists(atPath: run.socket), "it listened before refusing")
    }

    @Test("the old docker-compose default in PARLEY_JWT_SECRET")
    func publishedKey() throws {
        let run = try serve(["PARLEY_JWT_SECRET": "development-only-jwt-secret-change-me-0123456789"])
        #expect(run.status != nil && run.status != 0, "parley serve kept running: \(run.stderr)")
        #expect(run.stderr.contains("PARLEY_JWT_SECRET"))
        #expect(run.stderr.contains("openssl rand -base64 48"))
        #expect(!FileManager.default.fileExists(atPath: run.socket), "it listened before refusing")
    }

    @Test("a short key in PARLEY_JWT_SECRET")
    func shortKey() throws {
        let run = try serve(["PARLEY_JWT_SECRET": "Xq9-short-key"])
        #expect(run.status != nil && run.status != 0, "parley serve kept running: \(run.stderr)")
        #expect(run.stderr.contains("PARLEY_JWT_SECRET"))
        #expect(run.stderr.contains("at least 32"))
    }
}
