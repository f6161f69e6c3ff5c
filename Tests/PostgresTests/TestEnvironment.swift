import Foundation
import Logging
import Synchronization
import Testing

@testable import Postgres

/// What `make test` provides: a throwaway PostgreSQL (`PARLEY_TEST_DATABASE_URL`) and a way to
/// restart it (`PARLEY_TEST_PG_CTL`). Tests that need them are skipped when they are missing,
/// unless `PARLEY_TEST_REQUIRE_STACK=1`, in which case they fail saying what is missing.
enum TestEnvironment {
    static let variables = ProcessInfo.processInfo.environment

    static var databaseURL: String? { variables["PARLEY_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } }
    static var pgCtl: String? { variables["PARLEY_TEST_PG_CTL"].flatMap { $0.isEmpty ? nil : $0 } }
    static var requireStack: Bool { variables["PARLEY_TEST_REQUIRE_STACK"] == "1" }

    /// Run database tests when there is a database, or when its absence must fail them.
    static var runDatabaseTests: Bool { databaseURL != nil || requireStack }
    static var runRestartTests: Bool { (databaseURL != nil && pgCtl != nil) || requireStack }

    struct MissingStack: Error, CustomStringConvertible {
        var variable: String
        var description: String {
            "\(variable) is not set, but PARLEY_TEST_REQUIRE_STACK=1 requires it (run the tests through `make test`)"
        }
    }

    static func requireDatabaseURL() throws -> String {
        guard let url = databaseURL else { throw MissingStack(variable: "PARLEY_TEST_DATABASE_URL") }
        return url
    }

    static func requirePgCtl() throws -> String {
        guard let command = pgCtl else { throw MissingStack(variable: "PARLEY_TEST_PG_CTL") }
        return command
    }

    static func configuration() throws -> PostgresConfiguration {
        var configuration = PostgresConfiguration(url: try requireDatabaseURL())
        configuration.slowQueryThreshold = .seconds(5)
        return configuration
    }

    static let logger: Logger = {
        var logger = Logger(label: "parley.postgres.tests")
        logger.logLevel = variables["PARLEY_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }()

    static func connect(_ configure: (inout PostgresConfiguration) -> Void = { _ in }) throws -> PostgresConnection {
        var configuration = try configuration()
        configure(&configuration)
        return try PostgresConnection(configuration: configuration, logger: logger)
    }

    /// A name no other test (or the app) uses: `prefix_1a2b3c4d`.
    static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.prefix(8).lowercased()
    }

    /// Runs a shell command with /dev/null as stdin, stdout and stderr (a restarted server must
    /// not write into a pipe nobody reads) and returns its exit status. posix_spawn + waitpid:
    /// Foundation's Process did not return here once pg_ctl had left a daemon behind.
    static func shell(_ command: String) throws -> Int32 {
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

/// Every test that talks to PostgreSQL lives in a suite nested in this one, so they run one at
/// a time: the restart test would otherwise break the others' connections.
@Suite("PostgreSQL integration", .serialized, .enabled(if: TestEnvironment.runDatabaseTests, "PARLEY_TEST_DATABASE_URL is not set"))
struct DatabaseTests {}

/// A log handler that keeps what it receives, to assert on the query log.
struct CapturingLogHandler: LogHandler {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    final class Store: Sendable {
        let records = Mutex<[Record]>([])
        var all: [Record] { self.records.withLock { $0 } }
    }

    let store: Store
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = self.metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let record = Record(level: event.level, message: "\(event.message)", metadata: merged)
        self.store.records.withLock { $0.append(record) }
    }

    static func logger(_ store: Store) -> Logger {
        Logger(label: "capture") { _ in CapturingLogHandler(store: store) }
    }
}
