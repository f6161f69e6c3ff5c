@_exported import FastCGI
import Foundation

/// What `make test` (scripts/test.sh) provides: a throwaway PostgreSQL, nginx in front of a
/// running `parley serve`, and the built binary. Suites that need it are enabled only when it is
/// present; under `make test` (`PARLEY_TEST_REQUIRE_STACK=1`) its absence is a failure instead.
public enum TestEnvironment {
    public static var values: [String: String] { ProcessInfo.processInfo.environment }

    public static var isStackRequired: Bool { values["PARLEY_TEST_REQUIRE_STACK"] == "1" }

    /// True when the variables the integration suites need are all set.
    public static var hasStack: Bool {
        ["PARLEY_BIN", "PARLEY_TEST_DATABASE_URL", "PARLEY_TEST_HTTPS_URL", "PARLEY_TEST_HTTP_URL", "PARLEY_TEST_DIR"]
            .allSatisfy { !(values[$0] ?? "").isEmpty }
    }

    /// Integration suites run when the stack is there, or when it is required (then they fail
    /// loudly on what is missing).
    public static var runsIntegration: Bool { hasStack || isStackRequired }

    public static func require(_ key: String) throws -> String {
        guard let value = values[key], !value.isEmpty else {
            throw TestEnvironmentError(message: "\(key) is not set; run the tests with `make test`, which starts PostgreSQL and nginx")
        }
        return value
    }

    public static var parleyBinary: String { get throws { try require("PARLEY_BIN") } }
    public static var databaseURL: String { get throws { try require("PARLEY_TEST_DATABASE_URL") } }
    /// A command that controls the test cluster: `sh -c "$PARLEY_TEST_PG_CTL restart -m fast -w"`.
    public static var pgCtl: String { get throws { try require("PARLEY_TEST_PG_CTL") } }

    /// Database suites run when there is a database, or when its absence must fail them.
    public static var hasDatabase: Bool { !(values["PARLEY_TEST_DATABASE_URL"] ?? "").isEmpty || isStackRequired }
    /// Suites that restart PostgreSQL need the command too.
    public static var canRestartDatabase: Bool {
        (!(values["PARLEY_TEST_DATABASE_URL"] ?? "").isEmpty && !(values["PARLEY_TEST_PG_CTL"] ?? "").isEmpty) || isStackRequired
    }
    public static var httpsURL: String { get throws { try require("PARLEY_TEST_HTTPS_URL") } }
    public static var httpURL: String { get throws { try require("PARLEY_TEST_HTTP_URL") } }
    /// A writable temporary directory for sockets and files a test creates.
    public static var scratchDirectory: String { get throws { try require("PARLEY_TEST_DIR") } }

    /// A fresh socket path under the scratch directory (or /tmp when there is none).
    public static func socketPath(_ name: String) -> String {
        let base = values["PARLEY_TEST_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? NSTemporaryDirectory()
        let unique = UUID().uuidString.prefix(8)
        return (base as NSString).appendingPathComponent("\(name)-\(unique).sock")
    }
}

extension TestEnvironment {
    /// Runs a shell command with /dev/null as stdin, stdout and stderr (a restarted server must
    /// not write into a pipe nobody reads) and returns its exit status. posix_spawn + waitpid:
    /// Foundation's Process did not return here once pg_ctl had left a daemon behind.
    public static func shell(_ command: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let words: [String] = ["/bin/sh", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, arguments, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xff
    }
}

public struct TestEnvironmentError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}
