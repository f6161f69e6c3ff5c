import Logging

/// The publisher thread's link to nginx: one kept-alive ``NchanConnection``, replaced when nginx
/// closes it, and batches of requests pipelined over it.
final class NchanSession {
    let client: NchanClient
    private let logger: Logger
    private var connection: NchanConnection?
    /// Requests per write: a batch of 100 events is about 70 kB, and nginx answers pipelined
    /// requests one after another; a few writes keep both socket buffers far from full.
    static let requestsPerWrite = 32

    init(client: NchanClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Sends `requests` in order and returns their replies in order: all of them, or the first
    /// ones when nginx could not be reached (a request without a reply may have been processed:
    /// delivery is at least once).
    func send(_ requests: [[UInt8]]) -> [NchanReply] {
        var replies: [NchanReply] = []
        replies.reserveCapacity(requests.count)
        var retriedStale = false
        while replies.count < requests.count {
            let link: NchanConnection
            if let connection, connection.isUsable {
                link = connection
            } else {
                do {
                    link = try client.connect()
                } catch {
                    logger.debug("live publisher: nginx unavailable", metadata: ["error": "\(error)"])
                    return replies
                }
                connection = link
            }
            let reused = link.exchanges > 0
            let chunk = Array(requests[replies.count..<min(replies.count + Self.requestsPerWrite, requests.count)])
            let (answered, failure) = link.exchange(chunk)
            replies += answered
            if !link.isUsable { connection = nil }
            if let failure {
                // nginx closes a kept connection that was idle past its keepalive_timeout: the
                // first write or read on it then fails before any reply. One fresh try.
                if answered.isEmpty, reused, !retriedStale {
                    retriedStale = true
                    continue
                }
                logger.debug("live publisher: nginx unavailable", metadata: ["error": "\(failure)"])
                return replies
            }
        }
        return replies
    }
}

@available(*, unavailable)
extension NchanSession: Sendable {}
