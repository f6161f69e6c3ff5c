import Dispatch
import Synchronization

/// A process-wide bound on how many callers run something expensive at once (argon2id), with
/// a bounded queue: at most `limit` run, at most `queueLimit` more wait, each for at most
/// `timeout`. Anyone beyond is refused at once, so a flood of log-ins ties up at most
/// `limit + queueLimit` worker threads and leaves the rest for other requests.
final class ConcurrencyGate: Sendable {
    struct Busy: Error, Equatable {}

    let limit: Int
    let queueLimit: Int
    let timeout: Duration
    private let slots: DispatchSemaphore
    /// Callers inside the gate: running plus waiting.
    private let inside = Mutex(0)

    init(limit: Int, queueLimit: Int, timeout: Duration) {
        precondition(limit >= 1 && queueLimit >= 0)
        self.limit = limit
        self.queueLimit = queueLimit
        self.timeout = timeout
        self.slots = DispatchSemaphore(value: limit)
    }

    func run<T>(_ body: () throws -> T) throws -> T {
        let admitted = inside.withLock { count in
            guard count < limit + queueLimit else { return false }
            count += 1
            return true
        }
        guard admitted else { throw Busy() }
        defer { inside.withLock { $0 -= 1 } }
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(min(seconds, 3600)) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        guard slots.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { throw Busy() }
        defer { slots.signal() }
        return try body()
    }

    /// Callers running or waiting now (for tests and status).
    var occupancy: Int { inside.withLock { $0 } }
}
