import ArgumentParser
import FoundationEssentials
import Glibc
import Logging
import ParleyApp
import Postgres

/// `parley export --user NAME`: Django's `dumpdata` for one person, streamed.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write everything of one user (as the API's export does) to a file or standard output.",
        discussion: """
            ndjson: one JSON object a line, each with a "type" (profile, conversation, message, \
            notification, message_edit). csv: the messages the user sent, one a row, with a \
            header. Rows are written as PostgreSQL produces them, in constant memory; a progress \
            line goes to standard error (unless --quiet). Only one export of a user runs at a \
            time, here or through the API. Uses DATABASE_URL.

            Example:
              parley export --user ada --output ada.ndjson
              parley export --user ada --format csv > ada-messages.csv
            """
    )

    @Option(help: "The username (ignoring case).")
    var user: String

    @Option(help: "ndjson or csv.")
    var format: String = "ndjson"

    @Option(help: "The file to write (replaced if it exists); standard output if not given or -.")
    var output: String?

    @Flag(help: "No progress output.")
    var quiet = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard ExportFormat(rawValue: format) != nil else { throw ValidationError("--format must be ndjson or csv, not \"\(format)\".") }
    }

    func run() throws {
        let logger = try common.bootstrapLogging()
        let format = ExportFormat(rawValue: format) ?? .ndjson
        let path = output.flatMap { $0 == "-" ? nil : $0 }
        let descriptor = path.map { open($0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) } ?? STDOUT_FILENO
        guard descriptor >= 0 else { throw CommandFailure("\(path ?? "-"): \(String(cString: strerror(errno)))") }
        defer { if descriptor != STDOUT_FILENO { close(descriptor) } }
        let database = PostgresDatabase(configuration: try PostgresConfiguration.forBulkCommand(), logger: logger)
        let progress = ProgressLine(noun: "lines", totalBytes: nil, quiet: quiet)
        var out = OutputBuffer(descriptor: descriptor)
        var lines = 0
        do {
            _ = try DataExport.run(database: database, username: user, format: format) { bytes in
                try out.write(bytes)
                if bytes.last == 10 {
                    lines += 1
                    progress.update(rows: lines, bytes: out.written)
                }
            }
            try out.flush()
        } catch is DataExport.UnknownUser {
            throw CommandFailure("There is no user named \(user).")
        } catch is DataExport.Busy {
            throw CommandFailure("An export of \(user) is already running; try again when it has finished.")
        } catch let error as OutputBuffer.WriteFailed {
            throw CommandFailure("\(path ?? "standard output"): \(error)")
        }
        progress.finish(rows: lines, bytes: out.written)
    }
}

/// Writes to a file descriptor in 64 KiB blocks.
struct OutputBuffer {
    struct WriteFailed: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { String(cString: strerror(errno)) }
    }

    let descriptor: Int32
    private var buffer: [UInt8] = []
    private(set) var written = 0

    init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(1 << 16)
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    mutating func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let count = buffer.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw WriteFailed(errno: errno)
            }
            offset += count
        }
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
