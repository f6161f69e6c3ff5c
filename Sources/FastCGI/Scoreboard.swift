#if canImport(Glibc)
import Glibc
#endif
import CFastCGI

/// Live state of a master and its worker processes, in shared memory (a memfd the master
/// creates and every worker maps): who is running, what each worker thread is doing, and the
/// counters the status page and metrics report. PHP-FPM keeps the same kind of scoreboard.
///
/// Every word is a `UInt64` written with the atomics in the C shim, so a worker that dies in the
/// middle of a request leaves nothing half-locked: counters stay, and its process entry is
/// cleared by the master. Strings (method, path, request id, SQL text) are best effort: a reader
/// may see one torn while a worker rewrites it, which a status page can live with.
public final class Scoreboard: @unchecked Sendable {
    // @unchecked: the mapping is written only through the atomic shim functions or, for the
    // strings, by the one thread that owns the slot.

    public struct Layout: Sendable, Equatable {
        /// Process entries: room for the current generation, the one draining after a reload,
        /// and replacements started before the processes they replace have exited.
        public var processes: Int
        public var threads: Int
        /// Route templates counted in the metrics; one more row counts requests no route matched.
        public var routes: Int

        public init(processes: Int, threads: Int, routes: Int) {
            self.processes = processes
            self.threads = threads
            self.routes = routes
        }
    }

    /// Counters in the header, by word index.
    public enum Counter: Int, CaseIterable, Sendable {
        /// `maxActive` and `maxChildrenReached` are the master's samples (ten a second), as
        /// PHP-FPM's master keeps them: no request pays for them.
        case startTime = 4, acceptedConnections, slowRequests, timeouts, maxActive, maxChildrenReached
        case restartsSignal, restartsExit, restartsTimeout, restartsRecycle, restartsReload
        case databaseReconnects, databaseStatementErrors, generation, listenBacklog, maxListenQueue
        case masterPID, masterRSS, reloads, reloading, masterPSS, listenQueue
        /// What the workers' PostgreSQL connections sent (see `PostgresObserver.roundTrip`).
        case databaseStatements, databaseRoundTrips
        /// Read routing to a replica (`PARLEY_DATABASE_REPLICA_URL`).
        case replicaReads, replicaFallbacks, replicaWaits
    }

    static let magic: UInt64 = 0x5041_524C_4559_0001  // "PARLEY", version 1
    static let headerWords = 64
    static let processHeaderWords = 16
    static let threadBytes = 1024
    /// Methods counted separately; the last index counts every other method.
    public static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"]
    public static let statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"]
    /// Upper bounds of the duration histogram's buckets, in seconds (Prometheus' defaults).
    public static let bucketBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    static var bucketWords: Int { bucketBounds.count + 3 }  // buckets, +Inf, sum (µs), count

    public let layout: Layout
    public let fd: Int32
    let base: UnsafeMutableRawPointer
    let size: Int

    private init(layout: Layout, fd: Int32, base: UnsafeMutableRawPointer, size: Int) {
        self.layout = layout
        self.fd = fd
        self.base = base
        self.size = size
    }

    static func byteSize(_ layout: Layout) -> Int {
        let processes = layout.processes * (processHeaderWords * 8 + layout.threads * threadBytes)
        let rows = layout.routes + 1
        let counters = rows * methods.count * statusClasses.count * 8
        let histograms = rows * bucketWords * 8
        return headerWords * 8 + processes + counters + histograms
    }

    /// The master's: a new memfd, sized and zeroed, with the layout in its header.
    public static func create(layout: Layout) throws(FastCGIError) -> Scoreboard {
        let fd = try systemCall("memfd_create") { parley_memfd("parley-scoreboard") }
        let size = byteSize(layout)
        do throws(FastCGIError) {
            try systemCall("ftruncate scoreboard") { ftruncate(fd, off_t(size)) }
            let board = try map(fd: fd, size: size, layout: layout)
            board.store(word: 1, UInt64(layout.processes))
            board.store(word: 2, UInt64(layout.threads))
            board.store(word: 3, UInt64(layout.routes))
            board.store(.startTime, UInt64(time(nil)))
            board.store(word: 0, magic)
            return board
        } catch {
            close(fd)
            throw error
        }
    }

    /// A worker's: the master's memfd, inherited as `fd`.
    public static func attach(fd: Int32) throws(FastCGIError) -> Scoreboard {
        guard let header = mmap(nil, headerWords * 8, PROT_READ, MAP_SHARED, fd, 0), header != MAP_FAILED else {
            throw FastCGIError("map the scoreboard", errno: errno)
        }
        let words = header.assumingMemoryBound(to: UInt64.self)
        let ok = words[0] == magic
        let layout = Layout(processes: Int(words[1]), threads: Int(words[2]), routes: Int(words[3]))
        munmap(header, headerWords * 8)
        guard ok else { throw FastCGIError("map the scoreboard", detail: "fd \(fd) is not a parley scoreboard") }
        return try map(fd: fd, size: byteSize(layout), layout: layout)
    }

    private static func map(fd: Int32, size: Int, layout: Layout) throws(FastCGIError) -> Scoreboard {
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw FastCGIError("map the scoreboard", errno: errno)
        }
        let board = Scoreboard(layout: layout, fd: fd, base: base, size: size)
        // Kept for the life of the process (entries and slots refer to it unowned).
        _ = Unmanaged.passRetained(board)
        return board
    }

    deinit { munmap(base, size) }

    // MARK: - Words

    func word(_ index: Int) -> UnsafeMutablePointer<UInt64> {
        (base + index * 8).assumingMemoryBound(to: UInt64.self)
    }

    func store(word index: Int, _ value: UInt64) { parley_atomic_store(word(index), value) }

    public func load(_ counter: Counter) -> UInt64 { parley_atomic_load(word(counter.rawValue)) }
    public func store(_ counter: Counter, _ value: UInt64) { parley_atomic_store(word(counter.rawValue), value) }
    public func add(_ counter: Counter, _ value: UInt64 = 1) { _ = parley_atomic_add(word(counter.rawValue), value) }
    public func raise(_ counter: Counter, to value: UInt64) { parley_atomic_max(word(counter.rawValue), value) }

    // MARK: - Processes

    public func process(_ index: Int) -> ProcessEntry {
        precondition(index >= 0 && index < layout.processes)
        let stride = Self.processHeaderWords * 8 + layout.threads * Self.threadBytes
        return ProcessEntry(board: self, base: base + Self.headerWords * 8 + index * stride, index: index)
    }

    public var processEntries: [ProcessEntry] { (0..<layout.processes).map(process) }

    // MARK: - Route metrics

    private var countersBase: UnsafeMutableRawPointer {
        base + Self.headerWords * 8 + layout.processes * (Self.processHeaderWords * 8 + layout.threads * Self.threadBytes)
    }

    private var histogramsBase: UnsafeMutableRawPointer {
        countersBase + (layout.routes + 1) * Self.methods.count * Self.statusClasses.count * 8
    }

    /// The method's column in the counters.
    public static func methodIndex(_ method: UnsafeBufferPointer<UInt8>) -> Int {
        // Byte arrays compared with memcmp: the generic `elementsEqual` over each name's UTF-8
        // view ran on every request (bench/README.md, "The conversation page's rows").
        guard let start = method.baseAddress else { return methods.count - 1 }
        for index in methodBytes.indices where methodBytes[index].count == method.count {
            if methodBytes[index].withUnsafeBufferPointer({ memcmp($0.baseAddress!, start, method.count) }) == 0 { return index }
        }
        return methods.count - 1
    }

    /// `methods` but "other", as bytes.
    private static let methodBytes: [[UInt8]] = methods.dropLast().map { Array($0.utf8) }

    /// Counts one finished request. `route` is the matched route's index, or nil (no route).
    public func record(route: Int?, method: Int, status: Int, durationNanoseconds: UInt64) {
        let row = route.map { min(max($0, 0), layout.routes) } ?? layout.routes
        let statusClass = min(max(status / 100 - 1, 0), 4)
        let counter = (row * Self.methods.count + min(max(method, 0), Self.methods.count - 1)) * Self.statusClasses.count + statusClass
        _ = parley_atomic_add((countersBase + counter * 8).assumingMemoryBound(to: UInt64.self), 1)
        let seconds = Double(durationNanoseconds) / 1e9
        let bucket = Self.bucketBounds.firstIndex { seconds <= $0 } ?? Self.bucketBounds.count
        let histogram = (histogramsBase + row * Self.bucketWords * 8).assumingMemoryBound(to: UInt64.self)
        _ = parley_atomic_add(histogram + bucket, 1)
        _ = parley_atomic_add(histogram + Self.bucketBounds.count + 1, durationNanoseconds / 1000)
        _ = parley_atomic_add(histogram + Self.bucketBounds.count + 2, 1)
    }

    /// Requests counted for a route (nil: unmatched), by method and status class.
    public func requestCount(route: Int?, method: Int, statusClass: Int) -> UInt64 {
        let row = route ?? layout.routes
        let counter = (row * Self.methods.count + method) * Self.statusClasses.count + statusClass
        return parley_atomic_load((countersBase + counter * 8).assumingMemoryBound(to: UInt64.self))
    }

    /// A route's histogram: per-bucket counts (not cumulative, the last is +Inf), the sum of
    /// durations in microseconds, and the count.
    public func histogram(route: Int?) -> (buckets: [UInt64], sumMicroseconds: UInt64, count: UInt64) {
        let row = route ?? layout.routes
        let words = (histogramsBase + row * Self.bucketWords * 8).assumingMemoryBound(to: UInt64.self)
        let buckets = (0...Self.bucketBounds.count).map { parley_atomic_load(words + $0) }
        return (buckets, parley_atomic_load(words + Self.bucketBounds.count + 1), parley_atomic_load(words + Self.bucketBounds.count + 2))
    }
}

/// One worker process's entry: pid, generation, state, and its threads' slots.
public struct ProcessEntry: @unchecked Sendable {
    // @unchecked: a pointer into the scoreboard, which outlives every entry handed out.
    // unowned(unsafe): a scoreboard is kept for the life of its process, and a strong reference
    // here made every slot operation of every request retain and release it, an atomic on one
    // cache line that all of a process's threads share.
    public unowned(unsafe) let board: Scoreboard
    let base: UnsafeMutableRawPointer
    public let index: Int

    public enum State: UInt64, Sendable {
        case free = 0, starting, ready, draining
    }

    enum Field: Int {
        case pid = 0, generation, state, startTime, rss, recycleRequested, stuck, pss, cpu
    }

    func word(_ field: Field) -> UnsafeMutablePointer<UInt64> {
        (base + field.rawValue * 8).assumingMemoryBound(to: UInt64.self)
    }

    public var pid: Int32 { Int32(truncatingIfNeeded: parley_atomic_load(word(.pid))) }
    public var generation: UInt64 { parley_atomic_load(word(.generation)) }
    public var state: State { State(rawValue: parley_atomic_load(word(.state))) ?? .free }
    public var startTime: UInt64 { parley_atomic_load(word(.startTime)) }
    /// Requests its threads have served (each thread counts its own: no shared counter).
    public var requestsServed: UInt64 { threads.reduce(0) { $0 &+ $1.requestsServed } }
    /// Threads of this process serving a request now.
    public var active: Int { threads.filter { $0.phase != .idle }.count }
    public var rssBytes: UInt64 { parley_atomic_load(word(.rss)) }
    /// Its proportional share of memory (PSS): shared pages divided among the processes.
    public var pssBytes: UInt64 { parley_atomic_load(word(.pss)) }
    /// The CPU the master bound it to, if any (stored plus one: zero is unbound).
    public var cpu: Int32? {
        let stored = parley_atomic_load(word(.cpu))
        return stored == 0 ? nil : Int32(truncatingIfNeeded: stored &- 1)
    }
    /// The worker reached its request limit and asks to be replaced.
    public var recycleRequested: Bool { parley_atomic_load(word(.recycleRequested)) != 0 }
    /// The worker has a thread stuck past its deadline and takes no new connections.
    public var stuck: Bool { parley_atomic_load(word(.stuck)) != 0 }

    /// The master claims a free entry for a process it is about to start.
    public func claim(generation: UInt64) {
        for field in [Field.pid, .rss, .recycleRequested, .stuck, .pss, .cpu] { parley_atomic_store(word(field), 0) }
        for thread in threads { thread.reset() }
        parley_atomic_store(word(.generation), generation)
        parley_atomic_store(word(.startTime), UInt64(time(nil)))
        parley_atomic_store(word(.state), State.starting.rawValue)
    }

    public func setPID(_ pid: Int32) { parley_atomic_store(word(.pid), UInt64(UInt32(bitPattern: pid))) }
    public func setState(_ state: State) { parley_atomic_store(word(.state), state.rawValue) }
    public func setRSS(_ bytes: UInt64) { parley_atomic_store(word(.rss), bytes) }
    public func setPSS(_ bytes: UInt64) { parley_atomic_store(word(.pss), bytes) }
    public func setCPU(_ cpu: Int32?) { parley_atomic_store(word(.cpu), cpu.map { UInt64(UInt32(bitPattern: $0)) + 1 } ?? 0) }
    public func requestRecycle() { parley_atomic_store(word(.recycleRequested), 1) }
    public func markStuck() { parley_atomic_store(word(.stuck), 1) }

    public func thread(_ index: Int) -> WorkerSlot {
        precondition(index >= 0 && index < board.layout.threads)
        return WorkerSlot(process: self, base: base + Scoreboard.processHeaderWords * 8 + index * Scoreboard.threadBytes, index: index)
    }

    public var threads: [WorkerSlot] { (0..<board.layout.threads).map(thread) }
}

/// One worker thread's slot: what it is doing now, written by that thread alone.
public struct WorkerSlot: @unchecked Sendable {
    // @unchecked: written by its one thread; others only read (see Scoreboard).
    let process: ProcessEntry
    let base: UnsafeMutableRawPointer
    public let index: Int

    /// What a request is doing, for the status page and the slow log.
    public enum Phase: UInt64, Sendable, CaseIterable {
        case idle = 0, reading, running, database, writing

        public var name: String {
            switch self {
            case .idle: "idle"
            case .reading: "reading"
            case .running: "running"
            case .database: "database"
            case .writing: "writing"
            }
        }
    }

    // Words, then fixed-size strings (a length word, then the bytes).
    enum Field: Int { case phase = 0, sequence, started, served, slowLogged, timedOut }
    static let methodOffset = 64, methodCapacity = 16
    static let pathOffset = 88, pathCapacity = 256
    static let requestIDOffset = 352, requestIDCapacity = 64
    static let statementOffset = 424, statementCapacity = 592

    func word(_ field: Field) -> UnsafeMutablePointer<UInt64> {
        (base + field.rawValue * 8).assumingMemoryBound(to: UInt64.self)
    }

    func reset() {
        for field in [Field.phase, .sequence, .started, .served, .slowLogged, .timedOut] { parley_atomic_store(word(field), 0) }
        for offset in [Self.methodOffset, Self.pathOffset, Self.requestIDOffset, Self.statementOffset] {
            (base + offset).storeBytes(of: 0, as: UInt64.self)
        }
    }

    public var processEntry: ProcessEntry { process }
    public var phase: Phase { Phase(rawValue: parley_atomic_load(word(.phase))) ?? .idle }
    /// Which request this is: one more for each request the thread starts.
    public var sequence: UInt64 { parley_atomic_load(word(.sequence)) }
    /// When the current request started (CLOCK_MONOTONIC nanoseconds).
    public var startedNanoseconds: UInt64 { parley_atomic_load(word(.started)) }
    public var requestsServed: UInt64 { parley_atomic_load(word(.served)) }

    /// How long the current request has run at `now`: zero when the thread is idle, or when its
    /// request began after `now` was read. The start is read once: the thread can begin a new
    /// request between two reads, and a second read past `now` would underflow.
    public func runningNanoseconds(at now: UInt64) -> UInt64 {
        guard phase != .idle else { return 0 }
        let started = startedNanoseconds
        return now > started ? now - started : 0
    }

    // MARK: Written by the slot's thread

    /// A request starts: its clock runs from now.
    public func begin() {
        parley_atomic_store(word(.started), parley_monotonic_ns())
        _ = parley_atomic_add(word(.sequence), 1)
        (base + Self.statementOffset).storeBytes(of: 0, as: UInt64.self)
        (base + Self.methodOffset).storeBytes(of: 0, as: UInt64.self)
        (base + Self.pathOffset).storeBytes(of: 0, as: UInt64.self)
        (base + Self.requestIDOffset).storeBytes(of: 0, as: UInt64.self)
        parley_atomic_store(word(.phase), Phase.reading.rawValue)
    }

    /// The request is done (`served`: it was answered, not dropped).
    public func end(served: Bool) {
        parley_atomic_store(word(.phase), Phase.idle.rawValue)
        if served { parley_atomic_store(word(.served), parley_atomic_load(word(.served)) + 1) }
    }

    public func setPhase(_ phase: Phase) { parley_atomic_store(word(.phase), phase.rawValue) }

    /// Notes what the request is: method, path (without the query) and request id.
    public func describe(method: UnsafeBufferPointer<UInt8>, path: UnsafeBufferPointer<UInt8>, requestID: UnsafeBufferPointer<UInt8>) {
        write(method, at: Self.methodOffset, capacity: Self.methodCapacity)
        let query = path.firstIndex(of: UInt8(ascii: "?")) ?? path.count
        write(UnsafeBufferPointer(rebasing: path[..<query]), at: Self.pathOffset, capacity: Self.pathCapacity)
        write(requestID, at: Self.requestIDOffset, capacity: Self.requestIDCapacity)
    }

    /// The SQL statement now running (its text only: binds are never passed here); empty when none.
    public func noteStatement(_ sql: UnsafeBufferPointer<UInt8>) {
        write(sql, at: Self.statementOffset, capacity: Self.statementCapacity)
    }

    private func write(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, capacity: Int) {
        let count = min(bytes.count, capacity - 8)
        if count > 0, let source = bytes.baseAddress { (base + offset + 8).copyMemory(from: source, byteCount: count) }
        (base + offset).storeBytes(of: UInt64(count), as: UInt64.self)
    }

    private func read(at offset: Int, capacity: Int) -> String {
        // Clamped as a UInt64 first: the master reads a crashed worker's slot, whatever it left.
        let count = Int(min((base + offset).load(as: UInt64.self), UInt64(capacity - 8)))
        return String(decoding: UnsafeRawBufferPointer(start: base + offset + 8, count: count), as: UTF8.self)
    }

    public var method: String { read(at: Self.methodOffset, capacity: Self.methodCapacity) }
    public var path: String { read(at: Self.pathOffset, capacity: Self.pathCapacity) }
    public var requestID: String { read(at: Self.requestIDOffset, capacity: Self.requestIDCapacity) }
    public var statement: String { read(at: Self.statementOffset, capacity: Self.statementCapacity) }

    // MARK: Deadlines

    /// Marks request `sequence` as logged slow; false if it already was.
    public func claimSlowLog(sequence: UInt64) -> Bool {
        let seen = parley_atomic_load(word(.slowLogged))
        return seen != sequence && parley_cas(word(.slowLogged), seen, sequence) != 0
    }

    /// Marks request `sequence` as past its deadline; false if it already was.
    public func claimTimeout(sequence: UInt64) -> Bool {
        let seen = parley_atomic_load(word(.timedOut))
        return seen != sequence && parley_cas(word(.timedOut), seen, sequence) != 0
    }

    /// True when the request now running has passed its deadline.
    public var currentRequestTimedOut: Bool {
        let sequence = parley_atomic_load(word(.sequence))
        return sequence != 0 && parley_atomic_load(word(.timedOut)) == sequence
    }
}

/// Nanoseconds on CLOCK_MONOTONIC, the clock the slots use.
public func monotonicNanoseconds() -> UInt64 { parley_monotonic_ns() }
