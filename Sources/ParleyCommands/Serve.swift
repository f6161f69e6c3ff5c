import ArgumentParser
import FastCGI
import FoundationEssentials
import Logging
import ParleyApp
import Postgres
import Supervisor
import Web
import WebFastCGI

public struct Serve: ParsableCommand {
    /// Routes a test server adds before the app's own (set before `Parley.main()`).
    nonisolated(unsafe) public static var extraRoutes: ((inout Router<AppContext>) -> Void)?

    public static let configuration = CommandConfiguration(
        abstract: "Answer FastCGI requests from nginx: a master and its worker processes.",
        discussion: """
            The master owns the listening socket and starts --processes worker processes (posix_spawn \
            of this executable), each running --threads threads with one PostgreSQL connection each. \
            A worker that dies is replaced; SIGHUP starts a new generation of workers from the \
            executable on disk and drains the old one once the new one is ready (no request fails); \
            SIGTERM or SIGINT lets requests in flight finish (up to --shutdown-timeout) and exits 0. \
            --check validates the settings, templates, database and migrations, and exits.

            Example:
              parley serve --listen /run/parley/parley.sock --processes 2 --threads 8
            """
    )

    @Option(help: """
        Where to listen: a unix socket path (unix:/run/parley/parley.sock), a loopback TCP \
        address (127.0.0.1:9000), or fd:0 for a socket inherited from spawn-fcgi or systemd. \
        [env: PARLEY_LISTEN] (default: systemd's LISTEN_FDS, else fd:0 when standard input is a listening socket, else /run/parley/parley.sock)
        """)
    var listen: String?

    @Option(help: "Worker processes. [env: PARLEY_PROCESSES] (default: the number of cores, \(ServeSettings.defaultProcesses) here)")
    var processes: Int?

    @Option(help: "Threads per worker process, each with its own PostgreSQL connection. [env: PARLEY_THREADS] (default: \(ServeSettings.defaultThreads))")
    var threads: Int?

    @Option(help: .hidden)
    var workers: Int?

    @Option(help: "Permissions of a unix socket, in octal; never world-writable. [env: PARLEY_SOCKET_MODE] (default: 0660)")
    var socketMode: String?

    @Option(help: "Group of a unix socket, e.g. the web server's (www-data). [env: PARLEY_SOCKET_GROUP]")
    var socketGroup: String?

    @Option(help: "Largest request body accepted, in bytes; larger ones get 413 unread. [env: PARLEY_MAX_BODY_SIZE] (default: 10485760)")
    var maxBodySize: Int?

    @Option(help: "Seconds to let requests in flight finish after SIGTERM or a reload. [env: PARLEY_SHUTDOWN_TIMEOUT] (default: 10)")
    var shutdownTimeout: Int?

    @Option(help: "Seconds a request may run: then its statement is cancelled and it answers 503; a worker still busy 5 s later is replaced; 0 turns it off. [env: PARLEY_REQUEST_TIMEOUT] (default: 30)")
    var requestTimeout: Double?

    @Option(help: "Seconds after which a running request is logged as slow, with what it is doing; 0 turns it off. [env: PARLEY_SLOW_REQUEST] (default: 1)")
    var slowRequest: Double?

    @Option(help: "Requests a worker process serves before it is replaced (with up to 10% jitter); 0 is never. [env: PARLEY_MAX_REQUESTS] (default: 0)")
    var maxRequests: Int?

    @Option(help: "Seconds a stalled read or write of a started request may wait before its connection is dropped. [env: PARLEY_IO_TIMEOUT] (default: 30)")
    var ioTimeout: Int?

    @Option(help: "Linux scheduling policy of the worker processes: batch (no preempting nginx or PostgreSQL on each wake-up) or other (the kernel's default), as systemd's CPUSchedulingPolicy=. [env: PARLEY_CPU_SCHEDULING_POLICY] (default: batch)")
    var cpuSchedulingPolicy: String?

    @Option(help: "Bind each worker process to a CPU of its own: auto (when --processes equals the CPUs parley may run on) or off. [env: PARLEY_CPU_AFFINITY] (default: auto)")
    var cpuAffinity: String?

    @Flag(help: "Check the settings, the templates, the database connection and pending migrations; print what is wrong and exit non-zero on any problem.")
    var check = false

    @Flag(help: "Also serve the TechEmpower benchmark routes (/plaintext, /json, /db, /queries, /fortunes, /updates) used by `make bench`; never in production. [env: PARLEY_BENCH=1]")
    var bench = false

    @OptionGroup var common: CommonOptions

    public init() {}

    public func run() throws {
        let logger = try common.bootstrapLogging()
        let settings = try ServeSettings(self)
        if check {
            throw ExitCode(ServeCheck(settings: settings, logger: logger).run())
        }
        if let entry = Environment.values["PARLEY_WORKER"] {
            try WorkerProcess(settings: settings, logger: logger).run(entry: entry)
            return
        }
        try runMaster(settings: settings, logger: logger)
    }

    private func runMaster(settings: ServeSettings, logger: Logger) throws {
        // Fail in the master, before any worker starts, on what every worker would fail on.
        let appConfiguration = try settings.appConfiguration()
        _ = try PostgresConfiguration.fromEnvironment()
        var environment = Environment.values
        if appConfiguration.auth.jwtKeyIsEphemeral {
            // One key for every worker process (tokens must verify on all of them), dying with
            // the master.
            logger.warning("no PARLEY_JWT_SECRET or PARLEY_JWT_SECRET_FILE: tokens are signed with a random key that dies with this master")
            var generator = SystemRandomNumberGenerator()
            environment["PARLEY_JWT_SECRET"] = Data((0..<48).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
        }
        if settings.bench {
            logger.warning("benchmark routes enabled (--bench): /plaintext, /json, /db, /queries, /fortunes, /updates")
        }
        var configuration = Master.Configuration(
            listen: settings.listen,
            socketOptions: settings.socketOptions,
            processes: settings.processes,
            threads: settings.threads,
            routes: ServeSettings.routeCapacity,
            executable: ServeSettings.executablePath,
            arguments: Array(CommandLine.arguments.dropFirst()),
            environment: environment)
        configuration.shutdownTimeout = settings.shutdownTimeout
        configuration.requestTimeout = settings.requestTimeout
        configuration.workerEnvironmentPrefix = "PARLEY_"  // PARLEY_WORKER, read in run()
        configuration.workerCPUs = settings.workerCPUs()
        do {
            let status = try Master(configuration: configuration, logger: logger).run()
            if status != 0 { throw ExitCode(status) }
        } catch let error as FastCGIError {
            logger.critical("cannot serve", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
