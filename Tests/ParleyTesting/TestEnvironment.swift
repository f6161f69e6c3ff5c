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

public struct TestEnvironmentError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}
