import ArgumentParser
import FastCGI
import Foundation
import Logging
import ParleyApp
import Postgres
import Web
import WebFastCGI

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer FastCGI requests from nginx.",
        discussion: """
            A fixed pool of worker threads shares the listening socket; each owns one PostgreSQL
            connection, opened on first use and re-opened after a failure. SIGTERM or SIGINT stops
            accepting, lets requests in flight finish (up to --shutdown-timeout), and exits 0.
            """
    )

    @Option(help: """
        Where to listen: a unix socket path (unix:/run/parley/parley.sock), a loopback TCP \
        address (127.0.0.1:9000), or fd:0 for a socket inherited from spawn-fcgi or systemd. \
        [env: PARLEY_LISTEN] (default: fd:0 when standard input is a listening socket, else /run/parley/parley.sock)
        """)
    var listen: String?

    @Option(help: "Number of worker threads. [env: PARLEY_WORKERS] (default: \(Serve.defaultWorkers))")
    var workers: Int?

    @Option(help: "Permissions of a unix socket, in octal; never world-writable. [env: PARLEY_SOCKET_MODE] (default: 0660)")
    var socketMode: String?

    @Option(help: "Group of a unix socket, e.g. the web server's (www-data). [env: PARLEY_SOCKET_GROUP]")
    var socketGroup: String?

    @Option(help: "Largest request body accepted, in bytes; larger ones get 413 unread. [env: PARLEY_MAX_BODY_SIZE] (default: 10485760)")
    var maxBodySize: Int?

    @Option(help: "Seconds to let requests in flight finish after SIGTERM. [env: PARLEY_SHUTDOWN_TIMEOUT] (default: 10)")
    var shutdownTimeout: Int?

    @Flag(help: "Also serve the TechEmpower benchmark routes (/plaintext, /json, /db, /queries, /fortunes, /updates) used by `make bench`; never in production. [env: PARLEY_BENCH=1]")
    var bench = false

    @OptionGroup var common: CommonOptions

    /// Two per core. Measured with wrk through nginx on a 2-core machine, `/healthz` (one
    /// PostgreSQL round trip), 64 and 256 connections: 4 workers served the most requests
    /// (≈8.4 k/s vs 7.9 k with 2, 7.3 k with 8, 5.7 k with 16) with no socket errors at 256
    /// connections, since idle kept-alive connections hold no worker. See README, "Worker count".
    static var defaultWorkers: Int { max(2, 2 * ProcessInfo.processInfo.activeProcessorCount) }

    func run() throws {
        let logger = try common.bootstrapLogging()
        let serverConfiguration = try makeServerConfiguration()
        let maxBodySize = try Environment.int(maxBodySize, "PARLEY_MAX_BODY_SIZE") ?? 10 * 1024 * 1024
        guard maxBodySize >= 0 else { throw ValidationError("--max-body-size must not be negative.") }
        let databaseConfiguration = try PostgresConfiguration.fromEnvironment()
        var appConfiguration = try AppConfiguration.fromEnvironment()
        if bench || Environment.values["PARLEY_BENCH"] == "1" {
            appConfiguration.benchRoutes = true
            logger.warning("benchmark routes enabled (--bench): /plaintext, /json, /db, /queries, /fortunes, /updates")
        }
        if appConfiguration.auth.jwtKeyIsEphemeral {
            logger.warning("no PARLEY_JWT_SECRET or PARLEY_JWT_SECRET_FILE: tokens are signed with a random key that dies with this process")
        }
        let application = ParleyApplication.build(configuration: appConfiguration)

        let server = FastCGIServer(configuration: serverConfiguration, logger: logger)
        do {
            try server.run { _ in
                let database = PostgresDatabase(configuration: databaseConfiguration, logger: logger)
                let logLevel = logger.logLevel  // fixed for the process's life
                return WebResponder(application: application, maxBodySize: maxBodySize) { request in
                    AppContext(requestID: request.id, database: database, logger: logger, logLevel: logLevel)
                }
            }
        } catch let error as FastCGIError {
            logger.critical("cannot serve", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }

    func makeServerConfiguration() throws -> FastCGIServer.Configuration {
        let address: ListenAddress
        if let text = Environment.string(listen, "PARLEY_LISTEN") {
            guard let parsed = ListenAddress(parsing: text) else {
                throw ValidationError("Cannot read --listen \"\(text)\": use a socket path, HOST:PORT, or fd:0.")
            }
            address = parsed
        } else {
            address = FastCGIServer.standardInputIsListeningSocket ? .inherited(fd: 0) : .unix(path: "/run/parley/parley.sock")
        }
        let workerCount = try Environment.int(workers, "PARLEY_WORKERS") ?? Serve.defaultWorkers
        guard (1...1024).contains(workerCount) else { throw ValidationError("--workers must be between 1 and 1024.") }
        var configuration = FastCGIServer.Configuration(listen: address, workers: workerCount)
        let modeText = Environment.string(socketMode, "PARLEY_SOCKET_MODE") ?? "0660"
        guard let mode = UInt32(modeText, radix: 8), mode <= 0o777 else {
            throw ValidationError("--socket-mode must be octal permissions such as 0660, got \"\(modeText)\".")
        }
        guard mode & 0o002 == 0 else { throw ValidationError("--socket-mode \(modeText) would make the socket world-writable.") }
        configuration.socketMode = mode
        configuration.socketGroup = Environment.string(socketGroup, "PARLEY_SOCKET_GROUP")
        let timeout = try Environment.int(shutdownTimeout, "PARLEY_SHUTDOWN_TIMEOUT") ?? 10
        configuration.shutdownTimeout = .seconds(max(0, timeout))
        return configuration
    }
}
