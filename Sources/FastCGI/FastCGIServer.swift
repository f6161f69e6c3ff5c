#if canImport(Glibc)
import Glibc
#endif
import CFastCGI
import Dispatch
import Logging
import Synchronization

/// The libfcgi responder: a fixed pool of worker threads sharing one epoll set.
///
/// Each worker waits in `epoll_wait` and takes whichever event comes: the listening socket (it
/// accepts the waiting connections and adds them to the set) or a connection with a request
/// ready (it reads the request with `FCGX_Accept_r`, runs the responder, finishes with
/// `FCGX_Finish_r`, and re-arms the connection if nginx keeps it). Connections are registered
/// `EPOLLONESHOT`, so exactly one worker owns a connection while it is being served, and an
/// idle kept-alive connection costs no thread — unlike libfcgi's own loop, which pins a thread
/// to every open connection (`FCGX_Accept_r` first waits, blocking, for the next request on
/// the connection it kept, and accepts another only once nginx has closed that one).
///
/// Stop (``stop()``, or SIGTERM/SIGINT when ``run(makeResponder:)`` handles signals): the
/// listener leaves the set and its path is removed, workers serve the requests already
/// waiting on open connections, close connections as their requests finish, and exit; `run`
/// returns once they have, or when `shutdownTimeout` passes.
public final class FastCGIServer: Sendable {
    public struct Configuration: Sendable {
        public var listen: ListenAddress
        public var workers: Int
        public var socketMode: UInt32 = 0o660
        public var socketGroup: String?
        public var backlog: Int32 = 1024
        public var shutdownTimeout: Duration = .seconds(10)
        /// Take SIGTERM/SIGINT on a dedicated thread and stop gracefully.
        public var handleSignals = true
        /// This process's entry in its master's scoreboard (nil when running alone, as in-process
        /// tests do): the threads report what they serve there.
        public var process: ProcessEntry?
        /// How long a started request may stall in a read or a write before its connection is
        /// dropped (SO_RCVTIMEO/SO_SNDTIMEO): a peer that stops mid-record cannot hold a thread.
        public var ioTimeout: Duration = .seconds(30)
        /// Limits on a request's params, checked before libfcgi reads them (``RecordInspector``):
        /// nginx sends a few kB; far more is refused and the connection closed.
        public var maxParams = 1000
        public var maxParamBytes = 64 * 1024
        /// `--max-requests`: after this many requests the process asks its master for a
        /// replacement (nil: never).
        public var maxRequests: Int?
        /// Deadlines: a request running longer is logged as slow; past `requestTimeout` its
        /// statement is cancelled (`onTimeout`); past the timeout and `timeoutGrace` the process
        /// is marked stuck, stops accepting and drains, and its master replaces it.
        public var slowRequest: Duration?
        public var requestTimeout: Duration?
        public var timeoutGrace: Duration = .seconds(5)
        /// After a stop, how long requests still arriving on kept-alive connections are served.
        public var drainLinger: Duration = .milliseconds(300)
        /// Called on the watchdog thread with the index of a worker thread whose request passed
        /// its deadline (cancel its database statement here).
        public var onTimeout: (@Sendable (_ worker: Int) -> Void)?
        /// Called once every worker thread runs (the worker tells its master it is ready).
        public var onReady: (@Sendable () -> Void)?

        public init(listen: ListenAddress, workers: Int) {
            self.listen = listen
            self.workers = workers
        }
    }

    public let configuration: Configuration
    public let statistics: FastCGIStatistics
    let logger: Logger

    private struct State {
        var stopping = false
        var epoll: Int32 = -1
        var wake: Int32 = -1
        var running = 0
        var connections: [ObjectIdentifier: FastCGIConnection] = [:]
    }

    private let state = Mutex(State())
    /// `state.stopping`, readable without the lock: every request checks it (whether to keep
    /// its connection), and four workers taking one lock per request contend for it.
    private let stoppingFlag = Atomic<Bool>(false)
    private let stopRequested = DispatchSemaphore(value: 0)

    private static let listenTag: UInt64 = 1
    private static let wakeTag: UInt64 = 2

    var inspector: RecordInspector { RecordInspector(maxParams: configuration.maxParams, maxParamBytes: configuration.maxParamBytes) }

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.statistics = FastCGIStatistics(workers: configuration.workers)
        self.logger = logger
    }

    /// True when fd 0 is a listening socket (spawn-fcgi, systemd `StandardInput=socket`).
    public static var standardInputIsListeningSocket: Bool { ListenSocket.standardInputIsListeningSocket() }

    /// True once ``stop()`` has been called.
    public var isStopping: Bool { stoppingFlag.load(ordering: .acquiring) }

    /// Asks the server to stop gracefully. Safe from any thread; later calls do nothing.
    public func stop() {
        let first = state.withLock { state -> Bool in
            if state.stopping { return false }
            state.stopping = true
            stoppingFlag.store(true, ordering: .releasing)
            return true
        }
        if first { stopRequested.signal() }
    }

    /// Listens, runs the workers and blocks until the server has stopped.
    /// `makeResponder` runs once on each worker thread, so it can create thread-owned state.
    public func run(makeResponder: @escaping @Sendable (_ worker: Int) -> any FastCGIResponder) throws {
        if configuration.handleSignals { try SignalHandling.blockTerminationSignals() }
        let initialized = FCGX_Init()
        guard initialized == 0 else { throw FastCGIError("FCGX_Init", detail: "libfcgi failed to initialise (\(initialized))") }
        // libfcgi installs a SIGPIPE handler; a write to a vanished client must fail with EPIPE instead.
        signal(SIGPIPE, SIG_IGN)

        let listener = try ListenSocket(
            address: configuration.listen,
            options: .init(mode: configuration.socketMode, group: configuration.socketGroup, backlog: configuration.backlog)
        )
        if case .tcp(let host, _) = configuration.listen, !["127.0.0.1", "::1", "localhost"].contains(host) {
            logger.warning("listening on a non-loopback address; keep it reachable by the web server only", metadata: ["listen": "\(configuration.listen)"])
        }
        let epoll = try systemCall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        let wake = try systemCall("eventfd") { eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK)) }
        // EPOLLEXCLUSIVE: the worker processes each watch the one listening socket, and a new
        // connection should wake one of them, not every process (the thundering herd).
        try control(epoll, EPOLL_CTL_ADD, listener.fd, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, data: Self.listenTag)
        try control(epoll, EPOLL_CTL_ADD, wake, events: EPOLLIN.rawValue, data: Self.wakeTag)
        state.withLock {
            $0.epoll = epoll
            $0.wake = wake
            $0.running = configuration.workers
        }

        if configuration.handleSignals {
            try SignalHandling.startWatcher(logger: logger) { [self] in stop() }
        }
        let listenFD = listener.fd
        for index in 0..<configuration.workers {
            let slot = configuration.process.map { $0.thread(index) }
            try WorkerThread.start(name: "parley-w\(index)") { [self] in
                let responder = makeResponder(index)
                workerLoop(responder: responder, epoll: epoll, listener: listenFD, slot: slot)
                state.withLock { $0.running -= 1 }
            }
        }
        logger.info("listening", metadata: ["listen": "\(configuration.listen)", "workers": "\(configuration.workers)"])
        if configuration.process != nil, configuration.slowRequest != nil || configuration.requestTimeout != nil {
            try Watchdog.start(server: self)
        }
        configuration.onReady?()

        stopRequested.wait()
        logger.info("stopping: no new connections; finishing requests in flight", metadata: ["busy": "\(statistics.busyWorkers)"])
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, listener.fd, nil)
        // EPOLLEXCLUSIVE woke only this process for a connection that arrived just before the
        // listener left the set; no other process will hear of it until the next one arrives.
        // Taken here and served by the drain, it is not left in the backlog (a client then
        // waited for its timeout, 30 s, in the recycling test).
        acceptConnections(epoll: epoll, listener: listener.fd, untilEmpty: true)
        listener.close()
        var one: UInt64 = 1
        _ = Glibc.write(wake, &one, MemoryLayout<UInt64>.size)

        let deadline = ContinuousClock.now + configuration.shutdownTimeout
        while state.withLock({ $0.running }) > 0 {
            if ContinuousClock.now >= deadline {
                logger.warning("shutdown timeout reached with requests still running", metadata: ["busy": "\(statistics.busyWorkers)"])
                return
            }
            usleep(5_000)
        }
        let idle = state.withLock { state -> [FastCGIConnection] in
            defer { state.connections.removeAll() }
            return Array(state.connections.values)
        }
        for connection in idle { connection.closeNow() }
        Glibc.close(wake)
        Glibc.close(epoll)
        logger.info("stopped", metadata: ["requests_served": "\(statistics.requestsServed)"])
    }

    // MARK: - Workers

    private func workerLoop(responder: any FastCGIResponder, epoll: Int32, listener: Int32, slot: WorkerSlot?) {
        // The peek buffer of the record inspector, one per thread for its whole life.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: inspector.window, alignment: 8)
        defer { buffer.deallocate() }
        var event = epoll_event()
        while true {
            let count = epoll_wait(epoll, &event, 1, -1)
            if count < 0 {
                if errno == EINTR { continue }
                logger.error("epoll_wait failed; worker exits", metadata: ["errno": "\(errno)"])
                return
            }
            if count == 0 { continue }
            switch event.data.u64 {
            case Self.wakeTag:
                drain(responder: responder, epoll: epoll, slot: slot, buffer: buffer)
                return
            case Self.listenTag:
                acceptConnections(epoll: epoll, listener: listener)
            default:
                serve(connection(from: event), responder: responder, epoll: epoll, slot: slot, buffer: buffer)
            }
        }
    }

    /// After a stop: serve requests already waiting on open connections, and for `drainLinger`
    /// those nginx still sends on its kept-alive ones (each answered, then its connection
    /// closed), then return: closing an idle connection at the instant nginx reuses it would
    /// cost that request, so connections are ended after a response where possible.
    private func drain(responder: any FastCGIResponder, epoll: Int32, slot: WorkerSlot?, buffer: UnsafeMutableRawBufferPointer) {
        var events = [epoll_event](repeating: epoll_event(), count: 16)
        let lingerUntil = ContinuousClock.now + configuration.drainLinger
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), 0)
            var servedAny = false
            if count > 0 {
                for event in events[0..<Int(count)] where event.data.u64 != Self.wakeTag && event.data.u64 != Self.listenTag {
                    serve(connection(from: event), responder: responder, epoll: epoll, slot: slot, buffer: buffer)
                    servedAny = true
                }
            }
            if servedAny { continue }
            if ContinuousClock.now >= lingerUntil { return }
            usleep(5_000)
        }
    }

    /// Accepts up to 64 waiting connections (`untilEmpty`: all of them, up to the backlog) and
    /// adds them to the set; while stopping, one at most unless `untilEmpty`.
    private func acceptConnections(epoll: Int32, listener: Int32, untilEmpty: Bool = false) {
        for _ in 0..<(untilEmpty ? Int(configuration.backlog) : 64) {
            let fd = parley_accept_cloexec(listener)
            if fd < 0 {
                let code = errno
                if code == EINTR || code == ECONNABORTED || code == EPROTO { continue }
                if code != EAGAIN && code != EWOULDBLOCK && code != EBADF && code != EINVAL {
                    logger.error("accept failed", metadata: ["errno": "\(code)"])
                    if code == EMFILE || code == ENFILE { usleep(10_000) }
                }
                break
            }
            // A started request that stalls in a read or write fails after the timeout
            // instead of holding its thread forever.
            _ = parley_set_socket_timeouts(fd, Int32(clamping: configuration.ioTimeout.wholeMillisecondsClamped))
            let connection = FastCGIConnection(fd: fd)
            // Registered even when a stop began meanwhile: the client is already connected, and
            // the drain serves what it sends.
            state.withLock { $0.connections[ObjectIdentifier(connection)] = connection }
            statistics.acceptedCounter.add(1, ordering: .relaxed)
            configuration.process?.board.add(.acceptedConnections)
            statistics.connectionCounter.add(1, ordering: .relaxed)
            do {
                try arm(connection, epoll: epoll, operation: EPOLL_CTL_ADD)
            } catch {
                logger.error("cannot watch connection", metadata: ["error": "\(error)"])
                forget(connection)
            }
            if isStopping, !untilEmpty { break }
        }
    }

    private func serve(_ connection: FastCGIConnection, responder: any FastCGIResponder, epoll: Int32, slot: WorkerSlot?, buffer: UnsafeMutableRawBufferPointer) {
        statistics.busyCounter.add(1, ordering: .relaxed)
        defer { statistics.busyCounter.subtract(1, ordering: .relaxed) }
        slot?.begin()
        if case .refused(let reason) = inspector.inspect(fd: connection.fd, buffer: buffer, timeout: configuration.ioTimeout) {
            logger.warning("request refused before libfcgi read it; connection closed", metadata: ["reason": "\(reason)"])
            slot?.end(served: false)
            connection.closeNow()
            forget(connection)
            return
        }
        guard connection.acceptNext() else {
            // nginx closed the connection (or sent garbage); libfcgi has closed the descriptor.
            slot?.end(served: false)
            forget(connection)
            return
        }
        let request = FastCGIRequest(connection.request)
        responder.respond(to: request)
        statistics.servedCounter.add(1, ordering: .relaxed)
        slot?.setPhase(.writing)
        let stillOpen = connection.finish(keepOpen: !isStopping && !request.failed)
        if let slot {
            slot.end(served: true)
            let process = slot.processEntry
            if let limit = configuration.maxRequests, !process.recycleRequested, process.requestsServed >= UInt64(limit) {
                logger.info("reached --max-requests; asking for a replacement", metadata: ["requests": "\(process.requestsServed)"])
                process.requestRecycle()
            }
        }
        guard stillOpen else {
            forget(connection)
            return
        }
        do {
            try arm(connection, epoll: epoll, operation: EPOLL_CTL_MOD)
        } catch {
            connection.closeNow()
            forget(connection)
        }
    }

    /// The slots of this process's threads (for the watchdog).
    var slots: [WorkerSlot] { configuration.process?.threads ?? [] }

    private func connection(from event: epoll_event) -> FastCGIConnection {
        let pointer = UnsafeRawPointer(bitPattern: UInt(event.data.u64))!
        return Unmanaged<FastCGIConnection>.fromOpaque(pointer).takeUnretainedValue()
    }

    private func arm(_ connection: FastCGIConnection, epoll: Int32, operation: Int32) throws(FastCGIError) {
        let pointer = UInt64(UInt(bitPattern: Unmanaged.passUnretained(connection).toOpaque()))
        try control(epoll, operation, connection.fd, events: EPOLLIN.rawValue | EPOLLONESHOT.rawValue | EPOLLRDHUP.rawValue, data: pointer)
    }

    private func forget(_ connection: FastCGIConnection) {
        statistics.connectionCounter.subtract(1, ordering: .relaxed)
        _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    private func control(_ epoll: Int32, _ operation: Int32, _ fd: Int32, events: UInt32, data: UInt64) throws(FastCGIError) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = data
        try systemCall("epoll_ctl") { epoll_ctl(epoll, operation, fd, &event) }
    }
}
