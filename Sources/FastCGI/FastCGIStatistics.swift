import Synchronization

/// Live counters of a running server, for the status page and metrics (like PHP-FPM's
/// `pm.status_path`: busy and idle workers, requests served, open connections).
public final class FastCGIStatistics: Sendable {
    public let workers: Int
    let busyCounter = Atomic<Int>(0)
    let servedCounter = Atomic<Int>(0)
    let connectionCounter = Atomic<Int>(0)
    let acceptedCounter = Atomic<Int>(0)

    init(workers: Int) { self.workers = workers }

    public var busyWorkers: Int { busyCounter.load(ordering: .relaxed) }
    public var idleWorkers: Int { max(0, workers - busyWorkers) }
    public var requestsServed: Int { servedCounter.load(ordering: .relaxed) }
    public var openConnections: Int { connectionCounter.load(ordering: .relaxed) }
    public var connectionsAccepted: Int { acceptedCounter.load(ordering: .relaxed) }
}
