import Synchronization

/// A process-wide map from text keys, shared by the worker threads, that holds at most
/// `capacity` entries: at that many it starts again empty. A bound on memory without an order
/// to keep, for caches whose forgotten entry only costs the work it saved.
final class BoundedCache<Value: Sendable & Equatable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    subscript(key: String) -> Value? {
        entries.withLock { $0[key] }
    }

    func insert(_ value: Value, for key: String) {
        entries.withLock { entries in
            // Already there (a session resumed again): no write, and a full map is not emptied.
            if entries[key] == value { return }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
    }

    func remove(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
