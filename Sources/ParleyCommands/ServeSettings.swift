import ArgumentParser
import CFastCGI
import FastCGI
import FoundationEssentials
import Glibc
import ParleyApp

/// `parley serve`'s settings, read once from flags, then the environment, then defaults. The
/// master and every worker read the same ones (workers get the master's arguments and
/// environment).
struct ServeSettings {
    var listen: ListenAddress
    var socketOptions: ListenSocket.Options
    var processes: Int
    var threads: Int
    var maxBodySize: Int
    var shutdownTimeout: Duration
    var requestTimeout: Duration?
    var slowRequest: Duration?
    var maxRequests: Int?
    var ioTimeout: Duration
    var bench: Bool
    var cpuSchedulingPolicy: CPUSchedulingPolicy
    var cpuAffinity: CPUAffinity

    /// The workers' scheduling policy. `batch` by default: a worker woken by PostgreSQL's or
    /// nginx's answer then waits for the running process to block instead of preempting it, so
    /// each request costs fewer context switches (docs/decisions/0019-batch-scheduling.md).
    enum CPUSchedulingPolicy: String {
        case batch, other
    }

    /// Whether each worker process is bound to a CPU of its own. `auto` by default: when there
    /// are as many processes as CPUs to run on, each stays on one, so a core does not switch
    /// between two processes' data on every request (docs/decisions/0023-one-cpu-per-worker-process.md).
    enum CPUAffinity: String {
        case auto, off
    }

    /// One worker process per core: processes, not threads, are the unit of isolation, and a
    /// process per core keeps every core busy when one process waits on a lock.
    static var defaultProcesses: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
    /// Two threads per process (see README, "Processes, threads and memory", for the measurement).
    static let defaultThreads = 2
    /// Route templates the metrics can tell apart (the app registers far fewer).
    static let routeCapacity = 256

    /// The executable workers are started from: the path this one was started as, read again
    /// at each start, so a reload picks up a new build put there.
    static let executablePath: String = {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return path.hasSuffix(" (deleted)") ? String(path.dropLast(10)) : path
        }
        return CommandLine.arguments[0]
    }()

    init(_ serve: Serve) throws {
        if serve.workers != nil || Environment.values["PARLEY_WORKERS"].map({ !$0.isEmpty }) == true {
            throw ValidationError("--workers (PARLEY_WORKERS) is gone: use --processes N (PARLEY_PROCESSES) worker processes and --threads N (PARLEY_THREADS) per process.")
        }
        if let text = Environment.string(serve.listen, "PARLEY_LISTEN") {
            guard let parsed = ListenAddress(parsing: text) else {
                throw ValidationError("Cannot read --listen \"\(text)\": use a socket path, HOST:PORT, or fd:0.")
            }
            listen = parsed
        } else if let systemd = ServeSettings.systemdSocket() {
            listen = systemd
        } else {
            listen = FastCGIServer.standardInputIsListeningSocket ? .inherited(fd: 0) : .unix(path: "/run/parley/parley.sock")
        }
        processes = try Environment.int(serve.processes, "PARLEY_PROCESSES") ?? ServeSettings.defaultProcesses
        guard (1...64).contains(processes) else { throw ValidationError("--processes must be between 1 and 64.") }
        threads = try Environment.int(serve.threads, "PARLEY_THREADS") ?? ServeSettings.defaultThreads
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256.") }

        let modeText = Environment.string(serve.socketMode, "PARLEY_SOCKET_MODE") ?? "0660"
        guard let mode = UInt32(modeText, radix: 8), mode <= 0o777 else {
            throw ValidationError("--socket-mode must be octal permissions such as 0660, got \"\(modeText)\".")
        }
        guard mode & 0o002 == 0 else { throw ValidationError("--socket-mode \(modeText) would make the socket world-writable.") }
        socketOptions = ListenSocket.Options(mode: mode, group: Environment.string(serve.socketGroup, "PARLEY_SOCKET_GROUP"))

        maxBodySize = try Environment.int(serve.maxBodySize, "PARLEY_MAX_BODY_SIZE") ?? 10 * 1024 * 1024
        guard (0...(1 << 40)).contains(maxBodySize) else { throw ValidationError("--max-body-size must be between 0 and 1099511627776 bytes.") }
        let shutdown = try Environment.int(serve.shutdownTimeout, "PARLEY_SHUTDOWN_TIMEOUT") ?? 10
        guard (0...86_400).contains(shutdown) else { throw ValidationError("--shutdown-timeout must be between 0 and 86400 seconds.") }
        shutdownTimeout = .seconds(shutdown)
        requestTimeout = try ServeSettings.seconds(serve.requestTimeout, "PARLEY_REQUEST_TIMEOUT", flag: "--request-timeout") ?? .seconds(30)
        if requestTimeout == .zero { requestTimeout = nil }
        slowRequest = try ServeSettings.seconds(serve.slowRequest, "PARLEY_SLOW_REQUEST", flag: "--slow-request") ?? .seconds(1)
        if slowRequest == .zero { slowRequest = nil }
        let limit = try Environment.int(serve.maxRequests, "PARLEY_MAX_REQUESTS") ?? 0
        guard limit >= 0 else { throw ValidationError("--max-requests must be 0 (never) or more.") }
        maxRequests = limit == 0 ? nil : limit
        let io = try Environment.int(serve.ioTimeout, "PARLEY_IO_TIMEOUT") ?? 30
        guard (1...3600).contains(io) else { throw ValidationError("--io-timeout must be between 1 and 3600 seconds.") }
        ioTimeout = .seconds(io)
        bench = serve.bench || Environment.values["PARLEY_BENCH"] == "1"
        let policy = Environment.string(serve.cpuSchedulingPolicy, "PARLEY_CPU_SCHEDULING_POLICY") ?? "batch"
        guard let parsed = CPUSchedulingPolicy(rawValue: policy) else {
            throw ValidationError("--cpu-scheduling-policy must be batch or other, got \"\(policy)\".")
        }
        cpuSchedulingPolicy = parsed
        let affinity = Environment.string(serve.cpuAffinity, "PARLEY_CPU_AFFINITY") ?? "auto"
        guard let parsedAffinity = CPUAffinity(rawValue: affinity) else {
            throw ValidationError("--cpu-affinity must be auto or off, got \"\(affinity)\".")
        }
        cpuAffinity = parsedAffinity
    }

    /// The CPUs the worker processes are bound to, one each, or nil to leave them to the kernel:
    /// with `auto`, when there is more than one process and exactly as many CPUs this process
    /// may run on (fewer processes bound to some CPUs could not use the others; more would share).
    func workerCPUs() -> [Int32]? {
        guard cpuAffinity == .auto, processes > 1 else { return nil }
        var cpus = [Int32](repeating: 0, count: 1024)
        let count = parley_allowed_cpus(&cpus, Int32(cpus.count))
        guard Int(count) == processes else { return nil }
        return Array(cpus.prefix(processes))
    }

    func appConfiguration() throws -> AppConfiguration {
        var configuration = try AppConfiguration.fromEnvironment()
        if bench { configuration.benchRoutes = true }
        configuration.replica = try ReplicaConfiguration.fromEnvironment()
        return configuration
    }

    /// A listening socket systemd passed (`LISTEN_FDS`, for this process): fd 3.
    static func systemdSocket() -> ListenAddress? {
        let values = Environment.values
        guard let count = values["LISTEN_FDS"].flatMap({ Int($0) }), count >= 1,
              values["LISTEN_PID"].flatMap({ Int32($0) }) == getpid()
        else { return nil }
        return .inherited(fd: 3)
    }

    private static func seconds(_ flag: Double?, _ key: String, flag name: String) throws -> Duration? {
        var value = flag
        if value == nil, let text = Environment.values[key], !text.isEmpty {
            guard let parsed = Double(text) else { throw ValidationError("\(key) must be a number of seconds, got \"\(text)\".") }
            value = parsed
        }
        guard let value else { return nil }
        guard value.isFinite, (0...86_400).contains(value) else { throw ValidationError("\(name) must be between 0 and 86400 seconds.") }
        return .milliseconds(Int64((value * 1000).rounded()))
    }
}
