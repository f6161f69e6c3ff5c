import FoundationEssentials
import Synchronization

/// Which user each session token (by its hash) was issued for, as this process has seen it
/// started or resumed. A token names one user for as long as it lives, so a page can key its
/// reads by that id while the session check rides in front of them (``DeferredSession``); the
/// check alone still decides whether the session is live.
final class SessionUsers: Sendable {
    private let entries = Mutex<[String: UUID]>([:])
    /// At this many entries the cache starts again empty: a bound on memory without an order
    /// to keep, and a forgotten token only costs its next view the check's own round trip.
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func userID(forTokenHash hash: String) -> UUID? {
        entries.withLock { $0[hash] }
    }

    func remember(_ userID: UUID, forTokenHash hash: String) {
        entries.withLock { entries in
            if entries[hash] == userID { return }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = userID
        }
    }

    func forget(tokenHash hash: String) {
        _ = entries.withLock { $0.removeValue(forKey: hash) }
    }
}
