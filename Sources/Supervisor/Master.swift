#if canImport(Glibc)
import Glibc
#endif
import CFastCGI
import FastCGI
import Logging

/// The master process of `parley serve`, as nginx's master or PHP-FPM's: it owns the listening
/// socket and the scoreboard, serves no request and opens no database connection. It starts the
/// worker processes (``WorkerSpawner``), replaces one that dies, kills one stuck past its
/// deadline, recycles those that reach `--max-requests`, and on SIGHUP swaps in a new
/// generation before the old one drains. SIGTERM or SIGINT stops the workers gracefully.
///
/// It is one thread: every signal it handles is blocked and taken with `sigtimedwait` in the
/// loop, which also wakes ten times a second to look at the scoreboard.
public final class Master {
    public struct Configuration: Sendable {
        public var listen: ListenAddress
        public var socketOptions: ListenSocket.Options
        public var processes: Int
        public var threads: Int
        public var routes: Int
        public var executable: String
        public var arguments: [String]
        /// The workers' environment (the master's, less what must not reach them).
        public var environment: [String: String]
        public var shutdownTimeout: Duration = .seconds(10)
        public var requestTimeout: Duration?
        public var timeoutGrace: Duration = .seconds(5)
        /// How long a new generation may take to become ready before a reload is abandoned.
        public var reloadTimeout: Duration = .seconds(30)
        /// Starts the names of the variables that tell a worker it is one: `<prefix>WORKER` (its
        /// scoreboard entry), `<prefix>WORKER_GENERATION`, `<prefix>WORKER_LEAD` (`1` in one
        /// worker of each generation, see ``Worker/lead``) and `<prefix>MASTER_PID`.
        public var workerEnvironmentPrefix = "SUPERVISOR_"
        /// One CPU per worker process of a generation, each bound to its own (the master writes it
        /// in the worker's scoreboard entry before starting it); nil leaves them to the kernel. A
        /// replacement takes the CPU of the worker it replaces.
        public var workerCPUs: [Int32]?

        public init(listen: ListenAddress, socketOptions: ListenSocket.Options, processes: Int, threads: Int, routes: Int,
                    executable: String, arguments: [String], environment: [String: String]) {
            self.listen = listen
            self.socketOptions = socketOptions
            self.processes = processes
            self.threads = threads
            self.routes = routes
            self.executable = executable
            self.arguments = arguments
            self.environment = environment
        }
    }

    /// What the master knows of a worker beyond the scoreboard.
    struct Worker {
        var pid: pid_t
        var generation: UInt64
        /// Asked to drain (reload, recycle, stop): its exit is expected.
        var draining: ContinuousClock.Instant?
        /// Being replaced (recycle or stuck): no longer counted in its generation.
        var retiring = false
        var killed = false
        /// The one worker of its generation that runs the pool's single tasks (parley's live
        /// publisher). Not a scoreboard index: after a reload the new generation takes other
        /// entries, and a replacement takes whichever is free. A replacement of the lead (crash,
        /// recycle) is the lead in its turn.
        var lead = false
    }

    let configuration: Configuration
    let logger: Logger
    let spawner: WorkerSpawner
    let notifier: SystemdNotifier
    private var board: Scoreboard!
    private var listener: ListenSocket!
    private var listenFD: Int32 = -1
    private var workers: [Int: Worker] = [:]
    private var generation: UInt64 = 1
    private var reloadStarted: ContinuousClock.Instant?
    private var stopping: ContinuousClock.Instant?
    private var backoff = CrashBackoff()
    private var nextSpawn: ContinuousClock.Instant = .now
    private var lastTick: ContinuousClock.Instant = .now - .seconds(2)
    private var lastWatchdog: ContinuousClock.Instant = .now
    private var lastServed: UInt64 = 0

    static let handledSignals: [Int32] = [SIGHUP, SIGTERM, SIGINT, SIGCHLD, SIGQUIT]

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var environment = configuration.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"] {
            environment[key] = nil
        }
        self.spawner = WorkerSpawner(
            executable: configuration.executable, arguments: configuration.arguments, environment: environment,
            environmentPrefix: configuration.workerEnvironmentPrefix)
        self.notifier = SystemdNotifier(environment: configuration.environment)
    }

    /// Runs until stopped; returns the exit status.
    public func run() throws(FastCGIError) -> Int32 {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in Self.handledSignals { sigaddset(&mask, signal) }
        let blocked = pthread_sigmask(SIG_BLOCK, &mask, nil)
        if blocked != 0 { throw FastCGIError("pthread_sigmask", errno: blocked) }
        signal(SIGPIPE, SIG_IGN)

        listener = try ListenSocket(address: configuration.listen, options: configuration.socketOptions)
        listenFD = try WorkerSpawner.raise(listener.fd)
        let layout = Scoreboard.Layout(processes: 2 * configuration.processes + 4, threads: configuration.threads, routes: configuration.routes)
        board = try Scoreboard.create(layout: layout)
        let boardFD = try WorkerSpawner.raise(board.fd)
        board.store(.masterPID, UInt64(getpid()))
        board.store(.generation, generation)
        sampleListenQueue()
        logger.info("master started", metadata: [
            "listen": "\(configuration.listen)", "processes": "\(configuration.processes)",
            "threads": "\(configuration.threads)", "pid": "\(getpid())",
            "cpus": "\(configuration.workerCPUs.map { $0.map(String.init).joined(separator: ",") } ?? "any")",
        ])

        var announcedReady = false
        while true {
            var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
            let received = sigtimedwait(&mask, nil, &timeout)
            switch received {
            case SIGHUP: reload()
            case SIGTERM, SIGINT, SIGQUIT: beginStop(signal: received)
            default: break
            }
            reap()
            if stopping != nil {
                if workers.isEmpty { break }
                forceStopIfLate()
                continue
            }
            supervise(boardFD: boardFD)
            sampleActivity()
            if !announcedReady, readyCount(of: generation) == configuration.processes {
                announcedReady = true
                logger.info("workers ready", metadata: ["processes": "\(configuration.processes)"])
                notifier.notify("READY=1\nSTATUS=\(configuration.processes) worker processes ready\nMAINPID=\(getpid())")
            }
            tick()
        }
        listener.close()
        close(listenFD)
        logger.info("master stopped", metadata: ["requests_served": "\(totalServed())"])
        return 0
    }

    // MARK: - Supervision

    private func supervise(boardFD: Int32) {
        let now = ContinuousClock.now
        // Workers that asked to be replaced (request limit) or that are stuck past a deadline.
        for (index, worker) in workers where !worker.retiring && worker.draining == nil {
            let entry = board.process(index)
            if entry.recycleRequested || entry.stuck {
                workers[index]?.retiring = true
                logger.info(entry.stuck ? "replacing a stuck worker" : "recycling a worker (--max-requests)", metadata: ["pid": "\(worker.pid)"])
                board.add(entry.stuck ? .restartsTimeout : .restartsRecycle)
            }
        }
        // Keep the current generation at full strength.
        let current = workers.values.filter { $0.generation == generation && !$0.retiring }.count
        if current < configuration.processes, now >= nextSpawn {
            for _ in current..<configuration.processes { spawn(boardFD: boardFD) }
        }
        // A new generation (reload) or replacements (recycle) are ready: the old ones drain.
        if readyCount(of: generation) == configuration.processes {
            for (index, worker) in workers where worker.draining == nil && (worker.generation < generation || worker.retiring) {
                if board.process(index).stuck {
                    if !worker.killed {
                        logger.error("killing a stuck worker", metadata: ["pid": "\(worker.pid)"])
                        kill(worker.pid, SIGKILL)
                        workers[index]?.killed = true
                    }
                } else {
                    drain(index)
                }
            }
            if reloadStarted != nil {
                reloadStarted = nil
                board.store(.reloading, 0)
                logger.info("reload complete: the new generation serves; the old one drains", metadata: ["generation": "\(generation)"])
                notifier.notify("READY=1\nSTATUS=reloaded (generation \(generation))")
            }
        } else if let started = reloadStarted, now - started > configuration.reloadTimeout {
            abandonReload()
        }
        // Deadlines the workers could not enforce themselves, and drains that take too long.
        for (index, worker) in workers where !worker.killed {
            if let draining = worker.draining, now - draining > configuration.shutdownTimeout + .seconds(2) {
                logger.warning("worker did not drain in time; killing it", metadata: ["pid": "\(worker.pid)"])
                kill(worker.pid, SIGKILL)
                workers[index]?.killed = true
            } else if let timeout = configuration.requestTimeout, overran(index, by: timeout + configuration.timeoutGrace * 3) {
                logger.error("worker past its request deadline and not draining; killing it", metadata: ["pid": "\(worker.pid)"])
                board.add(.restartsTimeout)
                kill(worker.pid, SIGKILL)
                workers[index]?.killed = true
            }
        }
    }

    private func overran(_ index: Int, by limit: Duration) -> Bool {
        let now = monotonicNanoseconds()
        let limitNanoseconds = UInt64(max(0, limit.wholeNanoseconds))
        return board.process(index).threads.contains { $0.runningNanoseconds(at: now) > limitNanoseconds }
    }

    private func spawn(boardFD: Int32) {
        guard let index = (0..<board.layout.processes).first(where: { workers[$0] == nil }) else {
            logger.error("no free scoreboard entry for a new worker")
            return
        }
        let entry = board.process(index)
        entry.claim(generation: generation)
        let serving = workers.filter { $0.value.generation == generation && !$0.value.retiring && $0.value.draining == nil }
        let lead = !serving.values.contains { $0.lead }
        let taken = Set(serving.keys.compactMap { board.process($0).cpu })
        let cpu = configuration.workerCPUs?.first { !taken.contains($0) }
        entry.setCPU(cpu)  // before the start: the worker binds itself to what its entry says
        do {
            let pid = try spawner.spawn(listenFD: listenFD, scoreboardFD: boardFD, entry: index, generation: generation, lead: lead)
            entry.setPID(pid)
            workers[index] = Worker(pid: pid, generation: generation, lead: lead)
            logger.debug("worker started", metadata: ["pid": "\(pid)", "generation": "\(generation)", "cpu": "\(cpu.map(String.init) ?? "any")"])
        } catch {
            entry.setState(.free)
            logger.error("cannot start a worker", metadata: ["error": "\(error)"])
            nextSpawn = .now + .seconds(1)
        }
    }

    private func drain(_ index: Int) {
        guard let worker = workers[index] else { return }
        workers[index]?.draining = .now
        board.process(index).setState(.draining)
        kill(worker.pid, SIGTERM)
    }

    private func readyCount(of generation: UInt64) -> Int {
        workers.filter { $0.value.generation == generation && !$0.value.retiring && board.process($0.key).state == .ready }.count
    }

    // MARK: - Deaths

    private func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            guard let (index, worker) = workers.first(where: { $0.value.pid == pid }) else { continue }
            let entry = board.process(index)
            let expected = worker.draining != nil || stopping != nil
            var metadata: Logger.Metadata = ["pid": "\(pid)", "generation": "\(worker.generation)", "requests": "\(entry.requestsServed)"]
            if parley_wifsignaled(status) != 0 {
                metadata["signal"] = "\(signalName(parley_wtermsig(status)))"
            } else {
                metadata["status"] = "\(parley_wexitstatus(status))"
            }
            if expected && !worker.killed {
                logger.info("worker exited", metadata: metadata)
            } else {
                for slot in entry.threads where slot.phase != .idle {
                    var request = metadata
                    request["thread"] = "\(slot.index)"
                    if slot.phase == .reading {
                        // Its params were not read yet: nothing of the request is known.
                        logger.error("worker died while reading a request", metadata: request)
                        continue
                    }
                    request["method"] = "\(slot.method)"
                    request["path"] = "\(slot.path)"
                    request["request_id"] = "\(slot.requestID)"
                    logger.error("worker died while serving a request", metadata: request)
                }
                if !worker.killed {
                    board.add(parley_wifsignaled(status) != 0 ? .restartsSignal : .restartsExit)
                }
                logger.error("worker died; starting a replacement", metadata: metadata)
                if stopping == nil, worker.generation == generation, !worker.retiring {
                    nextSpawn = max(nextSpawn, .now + backoff.delayAfterCrash())
                }
            }
            entry.setState(.free)
            entry.setPID(0)
            workers[index] = nil
        }
    }

    // MARK: - Reload and stop

    private func reload() {
        guard stopping == nil else { return }
        if reloadStarted != nil {
            logger.warning("SIGHUP during a reload: ignored until the new generation is ready")
            return
        }
        generation += 1
        board.store(.generation, generation)
        board.add(.reloads)
        board.store(.reloading, 1)
        reloadStarted = .now
        logger.info("SIGHUP: starting a new generation of workers", metadata: ["generation": "\(generation)", "executable": "\(configuration.executable)"])
        notifier.notify("RELOADING=1\nSTATUS=reloading (generation \(generation))\nMONOTONIC_USEC=\(monotonicNanoseconds() / 1000)")
    }

    /// The new generation did not become ready: it is stopped and the old one keeps serving.
    private func abandonReload() {
        logger.error("reload abandoned: the new generation did not become ready; the old one keeps serving",
                     metadata: ["generation": "\(generation)", "timeout_s": "\(configuration.reloadTimeout)"])
        for (index, worker) in workers where worker.generation == generation {
            workers[index]?.killed = true
            kill(worker.pid, SIGKILL)
        }
        generation -= 1
        board.store(.generation, generation)
        board.store(.reloading, 0)
        reloadStarted = nil
        notifier.notify("READY=1\nSTATUS=reload failed; previous generation serving")
    }

    private func beginStop(signal: Int32) {
        if stopping != nil {
            logger.warning("\(signalName(signal)) again: killing the workers now")
            for worker in workers.values { kill(worker.pid, SIGKILL) }
            return
        }
        stopping = .now
        logger.info("\(signalName(signal)): stopping; workers finish their requests in flight")
        notifier.notify("STOPPING=1")
        for (index, _) in workers { drain(index) }
    }

    private func forceStopIfLate() {
        guard let stopping, ContinuousClock.now - stopping > configuration.shutdownTimeout + .seconds(2) else { return }
        for (index, worker) in workers where !worker.killed {
            logger.warning("worker still running after the shutdown timeout; killing it", metadata: ["pid": "\(worker.pid)"])
            kill(worker.pid, SIGKILL)
            workers[index]?.killed = true
        }
    }

    // MARK: - Once a second

    private func tick() {
        let now = ContinuousClock.now
        if let interval = notifier.watchdogInterval, now - lastWatchdog >= interval {
            lastWatchdog = now
            notifier.notify("WATCHDOG=1")
        }
        guard now - lastTick >= .seconds(1) else { return }
        let elapsed = now - lastTick
        lastTick = now
        if let rss = ProcessMemory.residentBytes(pid: getpid()) { board.store(.masterRSS, rss) }
        if let pss = ProcessMemory.proportionalBytes(pid: getpid()) { board.store(.masterPSS, pss) }
        for (index, worker) in workers {
            if let rss = ProcessMemory.residentBytes(pid: worker.pid) { board.process(index).setRSS(rss) }
            if let pss = ProcessMemory.proportionalBytes(pid: worker.pid) { board.process(index).setPSS(pss) }
        }
        sampleListenQueue()
        let served = totalServed()
        if notifier.isActive {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            // The sum falls when a worker leaves it (a reload, a recycle, a crash): no rate
            // for that second, rather than a wrapped difference too large for an Int.
            let rate = seconds > 0 && served >= lastServed ? Double(served - lastServed) / seconds : 0
            notifier.notify("STATUS=\(workers.count) worker processes, \(Int(rate)) requests/s")
        }
        lastServed = served
    }

    /// PHP-FPM's `max active processes` and `max children reached`, sampled here rather than
    /// paid for by every request: how many threads serve at once, and whether all of the
    /// current generation's were busy.
    private func sampleActivity() {
        var active = 0
        var busyCurrent = 0
        for (index, worker) in workers {
            let busy = board.process(index).active
            active += busy
            if worker.generation == generation && !worker.retiring { busyCurrent += busy }
        }
        board.raise(.maxActive, to: UInt64(active))
        if busyCurrent >= configuration.processes * configuration.threads { board.add(.maxChildrenReached) }
    }

    /// The accept queue: its length now and its highest (Linux tells it for TCP sockets only;
    /// a unix socket reports its configured backlog and a queue of 0).
    private func sampleListenQueue() {
        guard case .tcp = configuration.listen else {
            board.store(.listenBacklog, UInt64(configuration.socketOptions.backlog))
            return
        }
        var queued: UInt32 = 0
        var backlog: UInt32 = 0
        guard parley_tcp_listen_queue(listenFD, &queued, &backlog) == 0 else { return }
        board.store(.listenBacklog, UInt64(backlog))
        board.store(.listenQueue, UInt64(queued))
        board.raise(.maxListenQueue, to: UInt64(queued))
    }

    private func totalServed() -> UInt64 {
        var total: UInt64 = 0
        for index in workers.keys { total &+= board.process(index).requestsServed }
        return total
    }
}

/// PHP-FPM's `emergency_restart_threshold`, without taking the whole pool down: the first few
/// crashes in a window are replaced at once; more back off, doubling up to one second, so a
/// request that crashes every worker cannot keep the machine busy starting processes.
struct CrashBackoff {
    static let window: Duration = .seconds(10)
    static let freeCrashes = 5
    static let maximum: Duration = .seconds(1)
    private var crashes: [ContinuousClock.Instant] = []

    mutating func delayAfterCrash(now: ContinuousClock.Instant = .now) -> Duration {
        crashes.append(now)
        crashes.removeAll { now - $0 > Self.window }
        let excess = crashes.count - Self.freeCrashes
        guard excess > 0 else { return .zero }
        return min(.milliseconds(125) * (1 << min(excess - 1, 10)), Self.maximum)
    }
}

func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGHUP: "SIGHUP"
    case SIGINT: "SIGINT"
    case SIGQUIT: "SIGQUIT"
    case SIGILL: "SIGILL"
    case SIGTRAP: "SIGTRAP"
    case SIGABRT: "SIGABRT"
    case SIGBUS: "SIGBUS"
    case SIGFPE: "SIGFPE"
    case SIGKILL: "SIGKILL"
    case SIGSEGV: "SIGSEGV"
    case SIGPIPE: "SIGPIPE"
    case SIGTERM: "SIGTERM"
    default: "signal \(signal)"
    }
}

extension Duration {
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : nanos + attoseconds / 1_000_000_000
    }
}
