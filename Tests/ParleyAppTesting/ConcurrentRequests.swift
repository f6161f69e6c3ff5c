import Foundation
import Logging
import Postgres
import Synchronization

extension APIHarness {
    /// Sends one request per user at the same time, each on a harness (and database connection)
    /// of its own, as two workers would, while this harness holds `conversationID`'s row: every
    /// request is under way before any can take that lock, so the changes meet in PostgreSQL.
    /// `send` gets each user's harness, the user and their place in `users`; the statuses come
    /// back in the order the requests finished. `logger` receives the other harnesses' log lines.
    func concurrently(
        holding conversationID: UUID, _ users: [TestUser], logger: Logger = Logger(label: "api-test") { _ in SwiftLogNoOpLogHandler() },
        _ send: @escaping @Sendable (APIHarness, TestUser, Int) throws -> TestResponse
    ) throws -> [Int] {
        let senders = try users.enumerated().map { index, user in
            let harness = try APIHarness(configuration: configuration, logger: logger)
            // Its connection opened, and the user a participant.
            let detail = try harness.request(.get, "/api/conversations/\(conversationID.uuidString.lowercased())/", token: user.token)
            guard detail.status == 200 else { throw MessagingTestFailure("\(user.username) cannot read the conversation: \(detail.status)") }
            return OneThread(harness: harness, user: user, index: index)
        }
        let statuses = Mutex<[Int]>([])
        let finished = DispatchSemaphore(value: 0)
        try database.transaction { connection in
            _ = try connection.query("SELECT 1 FROM conversations WHERE conversation_id = \(conversationID) FOR NO KEY UPDATE")
            for sender in senders {
                Thread {
                    let status = (try? send(sender.harness, sender.user, sender.index).status) ?? 0
                    statuses.withLock { $0.append(status) }
                    finished.signal()
                }.start()
            }
            Thread.sleep(forTimeInterval: 1)
        }
        for _ in senders { finished.wait() }
        return statuses.withLock { $0 }
    }
}

/// A harness handed to the one thread that uses it from then on (so never used from two
/// threads at once, which is what its connection needs).
private struct OneThread: @unchecked Sendable {
    let harness: APIHarness
    let user: TestUser
    let index: Int
}
