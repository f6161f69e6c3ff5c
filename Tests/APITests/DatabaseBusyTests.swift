import Foundation
import Logging
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

/// A database that is busy rather than broken (issue 13, scenario f): a row lock held by
/// another session past `lock_timeout`, or a session the server ended, is a 503 with
/// Retry-After — nothing stored, and the connection serves the next request.
@Suite("database busy", .enabled(if: TestEnvironment.runsIntegration), .serialized)
struct DatabaseBusyTests {
    /// Another session, as a second client of the same database.
    func otherSession() throws -> PostgresDatabase {
        PostgresDatabase(configuration: PostgresConfiguration(url: try TestEnvironment.databaseURL), logger: Logger(label: "other") { _ in SwiftLogNoOpLogHandler() })
    }

    func backendPID(_ h: APIHarness) throws -> Int32 {
        try h.database.read { try $0.query("SELECT pg_backend_pid()").first!.decode(Int32.self) }
    }

    @Test("a post that waits on a row lock held elsewhere answers 503 with Retry-After within the lock timeout; the same connection posts once the lock is gone")
    func rowLock() throws {
        var configuration = AppConfiguration.testing()
        configuration.messaging.messageRateLimit = 100_000
        let h = try APIHarness(configuration: configuration) { $0.lockTimeout = .milliseconds(300) }
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        let path = "/api/conversations/\(id)/messages/"
        let backend = try backendPID(h)
        let other = try otherSession()

        let (refused, seconds) = try other.transaction { connection in
            _ = try connection.query("SELECT 1 FROM conversations WHERE conversation_id = \(UUID(uuidString: id)!) FOR UPDATE")
            let started = Date()
            let response = try h.request(.post, path, json: BodyOnly(message_body: "blocked"), token: alice.token, headers: ["Idempotency-Key": "lock-\(UUID())"])
            return (response, Date().timeIntervalSince(started))
        }
        #expect(refused.status == 503, "\(refused.text)")
        #expect(refused.header("Retry-After") == "2")
        #expect(!refused.text.contains("lock"), "the server's message stays in the log")
        #expect(seconds >= 0.3 && seconds < 2, "answered after the lock timeout, not before and not much later")
        #expect(try h.count("messages", where: "conversation_id = $1", UUID(uuidString: id)!) == 0, "nothing stored")

        // The lock is gone: the next post succeeds on the same session.
        let posted = try h.request(.post, path, json: BodyOnly(message_body: "after"), token: alice.token)
        #expect(posted.status == 201)
        #expect(try backendPID(h) == backend, "the connection was reused, not reopened")
    }

    @Test("a session the server ended (pg_terminate_backend) costs at most that request: a 503 or a fresh connection, never a 500")
    func terminatedSession() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let id = try h.conversation(alice, with: [])
        let path = "/api/conversations/\(id)/messages/"
        let backend = try backendPID(h)
        let other = try otherSession()
        _ = try other.write { try $0.query("SELECT pg_terminate_backend(\(backend))") }
        usleep(100_000)
        let first = try h.request(.post, path, json: BodyOnly(message_body: "after termination"), token: alice.token)
        #expect(first.status == 201 || (first.status == 503 && first.header("Retry-After") == "2"), "\(first.status) \(first.text)")
        let second = try h.request(.post, path, json: BodyOnly(message_body: "again"), token: alice.token)
        #expect(second.status == 201)
        #expect(try backendPID(h) != backend)
    }
}
