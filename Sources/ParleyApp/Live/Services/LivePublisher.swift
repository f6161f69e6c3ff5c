import Foundation
import Logging
import Postgres
import Web

/// The one thread that publishes the outbox (migration 0014) to Nchan: woken by `NOTIFY
/// parley_live` (sent at COMMIT, so only committed changes), it claims a batch, posts each
/// event to nginx's publisher socket, and deletes what nginx took in the same transaction. If
/// nginx is down the rows stay and are posted once it is back: delivery is at least once, never
/// lost. It runs on its own connection beside the request threads (see
/// docs/decisions/0005-live-updates-with-nchan.md), so publishing never blocks a request.
public final class LivePublisher: Sendable {
    let database: PostgresConfiguration
    let client: NchanClient?
    let logger: Logger
    /// Events per transaction; also bounds how long the claimed rows stay locked.
    let batchSize = 100
    /// The poll when no NOTIFY comes (a publisher that missed one while reconnecting).
    let idleWait: Duration = .seconds(5)

    public init(database: PostgresConfiguration, live: LiveConfiguration, logger: Logger) {
        self.database = database
        self.client = live.client
        var logger = logger
        logger[metadataKey: "thread"] = "live-publisher"
        self.logger = logger
    }

    /// Starts the thread; it runs until the process exits.
    public func start() {
        let thread = Thread { [self] in self.run() }
        thread.name = "live-publisher"
        thread.start()
    }

    enum Outcome { case drained, more, nginxUnavailable }

    func run() {
        if client == nil {
            logger.info("live updates off (PARLEY_LIVE_SOCKET unset): the outbox is drained without publishing")
        }
        var reconnectDelay = 0.1
        while true {
            do {
                let connection = try PostgresConnection(configuration: database, logger: logger)
                try PostgresLiveOutbox.listen(connection)
                reconnectDelay = 0.1
                var nginxDelay = 0.1
                while true {
                    switch try drain(connection) {
                    case .more:
                        continue
                    case .drained:
                        nginxDelay = 0.1
                        _ = try connection.waitForNotifications(timeout: idleWait)
                    case .nginxUnavailable:
                        // Retried soon: an nginx reload or restart takes about a second.
                        Thread.sleep(forTimeInterval: nginxDelay)
                        nginxDelay = min(nginxDelay * 2, 2)
                    }
                }
            } catch {
                logger.warning("live publisher: database unavailable, retrying", metadata: ["error": "\(logDescription(of: error))"])
                Thread.sleep(forTimeInterval: reconnectDelay)
                reconnectDelay = min(reconnectDelay * 2, 5)
            }
        }
    }

    /// One batch: claims it, publishes it in order, deletes what nginx accepted (or refused
    /// for good), commits.
    func drain(_ connection: PostgresConnection) throws -> Outcome {
        try connection.withTransaction { connection in
            let events = try PostgresLiveOutbox.claim(connection, limit: batchSize)
            var done: [Int64] = []
            var outcome: Outcome = events.count == batchSize ? .more : .drained
            for event in events {
                if try publish(event) {
                    done.append(event.eventID)
                } else {
                    outcome = .nginxUnavailable
                    break
                }
            }
            try PostgresLiveOutbox.delete(connection, eventIDs: done)
            return outcome
        }
    }

    /// True when the event is done with (published, or refused by Nchan for good); false when
    /// nginx could not be reached and it should be tried again.
    func publish(_ event: LiveEvent) throws -> Bool {
        guard let client else { return true }
        // An edit of a message deleted since has nothing to show; its deletion follows.
        if event.name != "message.deleted", event.messageID != nil, event.message == nil, case .conversation = event.channel {
            return true
        }
        let body = try JSON.encode(LiveEventJSON(event: event))
        do {
            let status = try client.publish(path: event.channel.publishPath, event: event.name, body: body)
            if status >= 500 { return false }
            if status >= 300 {
                logger.error("live publisher: nginx refused an event", metadata: ["status": "\(status)", "event": "\(event.name)"])
            }
            return true
        } catch {
            logger.debug("live publisher: nginx unavailable", metadata: ["error": "\(error)"])
            return false
        }
    }
}
