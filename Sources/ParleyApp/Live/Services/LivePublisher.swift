#if canImport(Glibc)
import Glibc
#endif
import CivilTime
import FastCGI
import FoundationEssentials
import Logging
import Postgres
import Web

/// The one thread that publishes the outbox (migration 0015) to Nchan: woken by `NOTIFY
/// parley_live` (sent at COMMIT, so only committed changes), it claims a batch, posts each
/// event to nginx's publisher socket, and deletes what nginx took in the same transaction. If
/// nginx is down the rows stay and are posted once it is back: delivery is at least once, never
/// lost. It runs on its own connection beside the request threads (see
/// docs/decisions/0008-live-updates-with-nchan.md), so publishing never blocks a request.
///
/// An nginx reload (or restart) drops every channel, and an event that an old worker accepted
/// while the reload went on is lost with them. So the publisher keeps what it published in the
/// last ``replayWindow`` and a marker channel in Nchan; when the marker is gone, nginx has lost
/// its state, and the kept events are published again (clients drop repeats by `event_id`).
// @unchecked: the mutable state (``recent``) is touched by the publisher thread only.
public final class LivePublisher: @unchecked Sendable {
    let database: PostgresConfiguration
    /// nil when live updates are off: the outbox is drained without publishing.
    let session: NchanSession?
    let logger: Logger
    /// The poll when no NOTIFY comes (a publisher that missed one while reconnecting).
    let idleWait: Duration = .seconds(1)
    /// Under a steady stream of changes, how long the publisher lets events gather before it
    /// claims the next batch, so that a stream of posts is not one claim each (bench/README.md,
    /// "Notification counters, and what live updates cost a post"). After a quiet spell the
    /// first event is published at once.
    let gatherWhileBusy: TimeInterval = 0.010
    /// While busy the publisher holds a lease in the database (migration 0022), renewed with
    /// each batch it claims, and writers send no NOTIFY; it claims every ``gatherWhileBusy``
    /// until a claim that began after the lease ran out comes back empty, then waits for one.
    let lease: Duration = .milliseconds(50)
    /// How long published events are kept for a replay after nginx lost its channels: longer
    /// than a reload takes to show (the marker is checked at least every ``idleWait``).
    let replayWindow: Duration = .seconds(30)
    /// Published events for the replay, by channel path, oldest first: at most as many per
    /// channel as Nchan keeps (`nchan_message_buffer_length 50`), since it would drop older ones
    /// anyway; the window alone let the list grow with the post rate (bench/README.md, same
    /// section).
    var recent: [String: [KeptEvent]] = [:]
    struct KeptEvent {
        let at: ContinuousClock.Instant
        let event: String
        let body: [UInt8]
    }
    static let keptPerChannel = 50
    /// Events kept in all (about 16 MB): posts spread over many channels filled every channel's
    /// 50 within the window, 117,000 events at the bench's 3,900 a second. Past it the window
    /// shrinks (halved until a quarter is freed); it still spans the marker's 1 s check at
    /// several times that rate.
    static let keptLimit = 20_000
    /// The events in ``recent``.
    private(set) var keptCount = 0
    /// When the marker was last checked and the kept events pruned: at most once per
    /// ``idleWait``, not after every batch (the check is a request to nginx).
    var lastMarkerCheck = ContinuousClock.now - .seconds(3600)
    /// The marker: a user channel no user has (nobody can subscribe to it).
    static let markerPath = LiveChannel.user(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))).publishPath

    public init(database: PostgresConfiguration, live: LiveConfiguration, logger: Logger) {
        self.database = database
        var logger = logger
        logger[metadataKey: "thread"] = "live-publisher"
        self.logger = logger
        self.session = live.client.map { NchanSession(client: $0, logger: logger) }
    }

    /// Starts the thread, named for `ps -L`; it runs until the process exits.
    public func start() throws {
        try WorkerThread.start(name: "live-publisher") { [self] in
            WorkerThread.nameCurrentThread("live-publisher")
            self.run()
        }
    }

    /// `drained(published:)`: whether the batch held any event.
    enum Outcome { case drained(Bool), more, nginxUnavailable }

    // Not optimised: Swift 6.3's loop-invariant code motion over these two endless loops kept
    // release builds from finishing (bench/README.md, "Build time"); the loop only waits and
    // hands each batch to drain(), which is optimised as usual.
    @_optimize(none)
    func run() {
        // Signals are for the server's sigwait thread: this thread may be started before the
        // server blocks them, and a SIGTERM delivered here would be lost (the worker never
        // drained, its master waited for ever).
        var signals = sigset_t()
        sigfillset(&signals)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        if session == nil {
            logger.info("live updates off (PARLEY_LIVE_SOCKET unset): the outbox is drained without publishing")
        }
        var reconnectDelay = 0.1
        while true {
            do {
                let connection = try PostgresConnection(configuration: database, logger: logger)
                try PostgresLiveOutbox.listen(connection)
                reconnectDelay = 0.1
                var nginxDelay = 0.1
                // When the lease renewed by the last batch runs out (this clock runs behind the
                // database's renewal, so it never ends the lease early).
                var leaseEnds: ContinuousClock.Instant?
                while true {
                    let started = ContinuousClock.now
                    switch try drain(connection) {
                    case .more:
                        leaseEnds = .now + lease
                        continue
                    case .drained(let published):
                        nginxDelay = 0.1
                        replayIfNginxLostItsChannels()
                        if published { leaseEnds = .now + lease }
                        // Busy: more events are likely on their way, and their writers send no
                        // NOTIFY while the lease holds; wait a moment and take them together.
                        if let ends = leaseEnds {
                            if published || started <= ends {
                                sleepThread(seconds: gatherWhileBusy)
                                continue
                            }
                            leaseEnds = nil
                        }
                        _ = try connection.waitForNotifications(timeout: idleWait)
                    case .nginxUnavailable:
                        // Retried soon: an nginx reload or restart takes about a second.
                        sleepThread(seconds: nginxDelay)
                        nginxDelay = min(nginxDelay * 2, 2)
                    }
                }
            } catch {
                logger.warning("live publisher: database unavailable, retrying", metadata: ["error": "\(logDescription(of: error))"])
                sleepThread(seconds: reconnectDelay)
                reconnectDelay = min(reconnectDelay * 2, 5)
            }
        }
    }

    /// One batch: claims it, publishes it in order, deletes what nginx accepted (or refused
    /// for good), commits.
    @inline(never)
    func drain(_ connection: PostgresConnection) throws -> Outcome {
        try connection.withTransaction { connection in
            let events = try PostgresLiveOutbox.claim(connection)
            if !events.isEmpty { try PostgresLiveOutbox.renewLease(connection, for: lease) }
            let (done, reachable) = try publish(events)
            try PostgresLiveOutbox.delete(connection, eventIDs: done)
            if !reachable { return .nginxUnavailable }
            return events.count == PostgresLiveOutbox.batchSize ? .more : .drained(!events.isEmpty)
        }
    }

    /// Publishes the kept events again if the marker channel is gone (nginx reloaded or
    /// restarted since it was set), then sets it again. nginx unreachable: nothing to do yet.
    /// Checked at most once per ``idleWait``.
    @inline(never)
    func replayIfNginxLostItsChannels() {
        guard let session else { return }
        let now = ContinuousClock.now
        guard now - lastMarkerCheck >= idleWait else { return }
        lastMarkerCheck = now
        pruneKeptEvents(now: now)
        guard let info = session.send([NchanClient.infoRequest(path: Self.markerPath)]).first,
              NchanClient.storedMessages(in: info) == 0
        else { return }
        let count = keptCount
        if count > 0 {
            logger.info("live publisher: nginx lost its channels (reload or restart); publishing recent events again",
                        metadata: ["events": "\(count)"])
        }
        let horizon = now - replayWindow
        var requests: [[UInt8]] = []
        for (path, kept) in recent {
            for event in kept where event.at >= horizon {
                requests.append(NchanClient.publishRequest(path: path, event: event.event, body: event.body))
            }
        }
        requests.append(NchanClient.publishRequest(path: Self.markerPath, event: "marker", body: Array("{}".utf8)))
        // Best effort: what nginx did not answer is covered by the next check (no marker yet).
        _ = session.send(requests)
    }

    /// Keeps a published event for the replay (the channel's oldest goes past the cap; past
    /// ``keptLimit`` in all, the oldest of every channel).
    func keep(path: String, event: String, body: [UInt8], at now: ContinuousClock.Instant = .now) {
        recent[path, default: []].append(KeptEvent(at: now, event: event, body: body))
        keptCount += 1
        if let count = recent[path]?.count, count > Self.keptPerChannel {
            recent[path]?.removeFirst(count - Self.keptPerChannel)
            keptCount -= count - Self.keptPerChannel
        }
        if keptCount > Self.keptLimit {
            var window = replayWindow
            repeat {
                window = window / 2
                pruneKeptEvents(olderThan: now - window)
            } while keptCount > Self.keptLimit * 3 / 4 && window > .milliseconds(1)
        }
    }

    /// Drops events older than the replay window, and channels left with none.
    func pruneKeptEvents(now: ContinuousClock.Instant) {
        pruneKeptEvents(olderThan: now - replayWindow)
    }

    private func pruneKeptEvents(olderThan horizon: ContinuousClock.Instant) {
        for path in Array(recent.keys) {
            guard let kept = recent[path] else { continue }
            let old = kept.prefix { $0.at < horizon }.count
            if old == kept.count {
                recent[path] = nil
            } else if old > 0 {
                recent[path]?.removeFirst(old)
            }
            keptCount -= old
        }
    }

    /// Publishes `events` in order, pipelined on the kept connection. Returns the ids done
    /// with (published, refused by Nchan for good, or with nothing to show) and whether nginx
    /// could be reached for all of them; the events after the first it could not take stay in
    /// the outbox, to be tried again.
    func publish(_ events: [LiveEvent]) throws -> (done: [Int64], reachable: Bool) {
        guard let session else { return (events.map(\.eventID), true) }
        var bodies: [[UInt8]?] = []
        var requests: [[UInt8]] = []
        for event in events {
            // An edit of a message deleted since has nothing to show; its deletion follows.
            if event.name != "message.deleted", event.messageID != nil, event.message == nil, case .conversation = event.channel {
                bodies.append(nil)
                continue
            }
            let body = try JSON.encode(LiveEventJSON(event: event))
            bodies.append(body)
            requests.append(NchanClient.publishRequest(path: event.channel.publishPath, event: event.name, body: body))
        }
        let replies = requests.isEmpty ? [] : session.send(requests)
        var done: [Int64] = []
        var next = 0
        for (event, body) in zip(events, bodies) {
            guard let body else {
                done.append(event.eventID)
                continue
            }
            guard next < replies.count, replies[next].status < 500 else { return (done, false) }
            let status = replies[next].status
            next += 1
            if status < 300 {
                keep(path: event.channel.publishPath, event: event.name, body: body)
            } else {
                logger.error("live publisher: nginx refused an event", metadata: ["status": "\(status)", "event": "\(event.name)"])
            }
            done.append(event.eventID)
        }
        return (done, true)
    }
}
