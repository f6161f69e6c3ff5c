import CivilTime
import FoundationEssentials
import Logging
import Postgres
import Synchronization
import Web

/// What read routing counts (the status page's OpenMetrics: `parley_replica_*`).
public enum ReplicaEvent: Sendable {
    /// A read served by the replica.
    case replicaRead
    /// A lag-tolerant read the primary served: replica down, lagging, or behind the client's write.
    case primaryFallback
    /// A read that waited for the replica to replay its client's write.
    case waitedForReplay
}

/// One worker thread's way to the replica: its connection (opened lazily, like the primary's),
/// and what it last learned of the replica's health. Per thread, like ``PostgresDatabase``, so
/// it needs no lock; only the "reads went to the primary" log line is process-wide.
public final class ReplicaRoute {
    public let configuration: ReplicaConfiguration
    public let primary: PostgresDatabase
    let replica: PostgresDatabase
    private let logger: Logger
    private let count: (ReplicaEvent) -> Void
    /// Until then the replica is known good (no status query for reads without a write position).
    private var trustedUntil: ContinuousClock.Instant?
    /// Until then the replica is not asked: it was down or lagging.
    private var avoidedUntil: ContinuousClock.Instant?

    /// Whether this process has logged that reads left the replica (one line per episode, not
    /// one per thread or request).
    private static let degraded = Atomic<Bool>(false)

    public init(
        configuration: ReplicaConfiguration, primary: PostgresDatabase, logger: Logger,
        observer: (any PostgresObserver)? = nil, count: @escaping (ReplicaEvent) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.primary = primary
        var database = configuration.database
        // A replica that is down must cost a read nothing noticeable: one attempt, then the
        // primary, and the next try after `recheckInterval`.
        database.reconnectAttempts = 1
        self.replica = PostgresDatabase(configuration: database, logger: logger, observer: observer)
        self.logger = logger
        self.count = count
    }

    /// The database a lag-tolerant read should use: the replica when it is up, less than
    /// `maxLag` behind, and has replayed `minimumLSN` (the client's last write, waiting up to
    /// `readYourWritesWait` for it); the primary otherwise. Never throws: a replica problem
    /// only moves the read.
    public func readDatabase(minimumLSN: String?) -> PostgresDatabase {
        let now = ContinuousClock.now
        if let avoidedUntil, now < avoidedUntil {
            count(.primaryFallback)
            return primary
        }
        if minimumLSN == nil, let trustedUntil, now < trustedUntil {
            count(.replicaRead)
            return replica
        }
        let repository = PostgresReplicationRepository(database: replica)
        let deadline = now + configuration.readYourWritesWait
        var waited = false
        do {
            while true {
                let status = try repository.status(minimumLSN: minimumLSN ?? "0/0")
                guard status.isStandby else {
                    // Promoted, or (a multi-host URL) connected to the primary: the primary's own
                    // connection serves; reconnect later in case a standby is back.
                    replica.close()
                    avoid(reason: "the replica URL reached a server that is not a standby", metadata: [:])
                    return primary
                }
                guard status.lagSeconds <= configuration.maxLag.seconds else {
                    avoid(reason: "the replica lags", metadata: ["lag_s": "\(status.lagSeconds)", "max_lag_s": "\(configuration.maxLag.seconds)"])
                    return primary
                }
                trustedUntil = ContinuousClock.now + configuration.recheckInterval
                recovered()
                if minimumLSN == nil || status.caughtUp {
                    count(.replicaRead)
                    return replica
                }
                if ContinuousClock.now >= deadline {
                    count(.primaryFallback)
                    return primary
                }
                if !waited {
                    waited = true
                    count(.waitedForReplay)
                }
                sleepThread(seconds: 0.002)
            }
        } catch {
            avoid(reason: "the replica cannot be reached", metadata: ["error": "\(logDescription(of: error))"])
            return primary
        }
    }

    /// A read on the replica failed in a way the primary will not (connection lost, a conflict
    /// with recovery): leave the replica alone for a while.
    public func replicaFailed(_ error: any Error) {
        avoid(reason: "a read on the replica failed", metadata: ["error": "\(logDescription(of: error))"])
    }

    /// The primary's WAL position after a write: the client's `parley_lsn`.
    public func primaryPosition() throws -> String {
        try PostgresReplicationRepository(database: primary).insertLSN()
    }

    private func avoid(reason: String, metadata: Logger.Metadata) {
        avoidedUntil = ContinuousClock.now + configuration.recheckInterval
        trustedUntil = nil
        count(.primaryFallback)
        if !Self.degraded.exchange(true, ordering: .relaxed) {
            logger.warning("lag-tolerant reads go to the primary: \(reason)", metadata: metadata)
        }
    }

    private func recovered() {
        if Self.degraded.exchange(false, ordering: .relaxed) {
            logger.notice("lag-tolerant reads go to the replica again")
        }
    }
}

@available(*, unavailable)
extension ReplicaRoute: Sendable {}

extension Duration {
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
