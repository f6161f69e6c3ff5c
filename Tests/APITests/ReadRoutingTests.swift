import Foundation
import Logging
@testable import ParleyApp
import ParleyTesting
import Postgres
import Synchronization
import Testing

/// Which requests may read from a replica, and what the route does when the "replica" is not
/// one. The replica itself (streaming, lag, read-your-writes) is exercised on the cluster
/// topology by scripts/cluster-test.py.
@Suite("Read routing to a replica")
struct ReadRoutingTests {
    @Test("lists, search and the inbox and notification pages are lag-tolerant; pages and details that write or follow a write are not")
    func lagTolerantPaths() {
        let id = UUID().uuidString.lowercased()
        for path in [
            "/api/conversations/", "/api/messages/", "/api/notifications/", "/api/users/",
            "/api/conversations/\(id)/messages/", "/api/messages/\(id)/history/", "/api/messages/\(id)/thread/",
            "/inbox", "/notifications", "/messages/\(id)/history",
        ] {
            #expect(ReadRoutingMiddleware.isLagTolerant(path), "\(path)")
        }
        for path in [
            // The conversation page marks the conversation read: a write.
            "/conversations/\(id)", "/api/conversations/\(id)/", "/api/messages/\(id)/", "/api/users/me/",
            "/account", "/", "/login", "/healthz", "/status", "/api/token/", "/api/conversations",
            "/api/admin/users/", "/messages/\(id)/edit", "/api/conversations/\(id)/participants/",
        ] {
            #expect(!ReadRoutingMiddleware.isLagTolerant(path), "\(path)")
        }
    }

    @Test("a WAL position is two groups of 1 to 8 hex digits; anything else is refused")
    func positions() {
        for good in ["0/0", "0/16B3748", "FFFFFFFF/ffffffff", "1a/2B"] { #expect(ReadRoutingMiddleware.isPosition(good), "\(good)") }
        for bad in ["", "/", "0/", "/0", "0/0/0", "123456789/0", "0/G", "0 /1", "0/1'; DROP", "١/٢"] {
            #expect(!ReadRoutingMiddleware.isPosition(bad), "\(bad)")
        }
    }

    @Test("a replica URL that reaches a primary, or nothing, sends reads to the primary without failing; a write position is readable",
          .enabled(if: TestEnvironment.hasDatabase))
    func fallbacks() throws {
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let url = try TestEnvironment.databaseURL
        let primary = PostgresDatabase(configuration: PostgresConfiguration(url: url), logger: logger)
        let events = Mutex<[ReplicaEvent]>([])

        // The test database is no standby: its "replica" connection must not serve reads.
        let notStandby = ReplicaRoute(configuration: ReplicaConfiguration(database: PostgresConfiguration(url: url)), primary: primary, logger: logger) { event in
            events.withLock { $0.append(event) }
        }
        #expect(notStandby.readDatabase(minimumLSN: nil) === primary)
        #expect(notStandby.readDatabase(minimumLSN: "0/0") === primary)
        #expect(events.withLock { $0 } == [.primaryFallback, .primaryFallback])

        // A replica that cannot be reached: the primary, and no error.
        var unreachable = PostgresConfiguration(url: "postgresql://parley@/parley?host=/nonexistent-parley-test&port=1")
        unreachable.connectTimeout = 2
        let down = ReplicaRoute(configuration: ReplicaConfiguration(database: unreachable), primary: primary, logger: logger)
        #expect(down.readDatabase(minimumLSN: nil) === primary)

        // The position after a write is a valid position that grows.
        let before = try notStandby.primaryPosition()
        try primary.write { try $0.execute("SELECT pg_logical_emit_message(false, 'parley-test', 'x')") }
        let after = try notStandby.primaryPosition()
        #expect(ReadRoutingMiddleware.isPosition(before) && ReadRoutingMiddleware.isPosition(after))
        #expect(try primary.read { try $0.query("SELECT \(after)::pg_lsn > \(before)::pg_lsn AS grew").first!.decode(Bool.self, column: "grew") })
    }
}
