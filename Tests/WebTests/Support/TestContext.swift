import Logging
import Synchronization
import Web

/// The request context the tests run the application with: a logger that records into a
/// ``LogRecorder`` (one per test, so no global `LoggingSystem.bootstrap`), and the user id.
final class TestContext: RequestContext {
    var logger: Logger
    var userID: String?

    init(logger: Logger) {
        self.logger = logger
    }
}

/// One captured log event, with handler and event metadata merged and rendered as strings.
struct LogEntry: Sendable {
    var level: Logger.Level
    var message: String
    var metadata: [String: String]
}

/// Collects what a test's logger writes.
final class LogRecorder: Sendable {
    private let recorded = Mutex<[LogEntry]>([])

    var entries: [LogEntry] { recorded.withLock { $0 } }

    func append(_ entry: LogEntry) {
        recorded.withLock { $0.append(entry) }
    }

    /// A logger whose handler writes into this recorder.
    func makeLogger(label: String = "web-tests") -> Logger {
        Logger(label: label) { _ in RecordingLogHandler(recorder: self) }
    }

    /// The access log line (`msg=request`) of the last request.
    var accessLog: LogEntry? { entries.last { $0.message == "request" } }

    /// Every entry, rendered as one string each, for "does the log mention X" checks.
    var text: String {
        entries.map { entry in
            ([entry.message] + entry.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
                .joined(separator: " ")
        }.joined(separator: "\n")
    }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        recorder.append(LogEntry(
            level: event.level,
            message: event.message.description,
            metadata: merged.mapValues(\.description)
        ))
    }
}
