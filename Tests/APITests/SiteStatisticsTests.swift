import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing

/// `/admin/stats` and `parley stats`, against known data in a database of their own (the
/// shared test database changes under parallel tests, so its totals are not known).
@Suite("Bulk: site statistics", .enabled(if: TestEnvironment.runsIntegration))
struct SiteStatisticsTests {
    /// Three users, three conversations with 4, 1 and 0 messages: three today (10:05, 10:20,
    /// 14:00 UTC), one two days ago (14:30), one 40 days ago (03:00, outside the window).
    func load(_ database: PostgresDatabase) throws {
        try database.write { connection in
            try connection.executeScript("""
                INSERT INTO users (username, email, password_hash, role) VALUES
                    ('ann', 'ann@example.com', '!', 'admin'), ('ben', 'ben@example.com', '!', 'guest'), ('cat', 'cat@example.com', '!', 'host');
                INSERT INTO conversations (title) VALUES ('a'), ('b'), ('c');
                WITH today AS (SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS t),
                     ann AS (SELECT user_id FROM users WHERE username = 'ann')
                INSERT INTO messages (conversation_id, sender_id, message_body, sent_at)
                SELECT c.conversation_id, ann.user_id, 'hi', today.t + m.at
                FROM today, ann, conversations c
                JOIN (VALUES ('a', interval '10 hours 5 minutes'), ('a', interval '10 hours 20 minutes'), ('a', interval '14 hours'),
                             ('a', interval '-2 days' + interval '14 hours 30 minutes'), ('b', interval '-40 days' + interval '3 hours')) AS m (title, at)
                  ON m.title = c.title;
                """)
        }
    }

    @Test("each figure against known data: totals, per day (30 days, zeros included), average and p95, busiest hours")
    func figures() throws {
        let scratch = try ScratchDatabase()
        defer { try? scratch.drop() }
        try load(scratch.database)
        let report = try SiteStatistics.report(database: scratch.database)
        #expect(report.users == 3 && report.conversations == 3 && report.messages == 5)
        #expect(abs(report.averagePerConversation - 5.0 / 3.0) < 1e-9)
        #expect(abs(report.p95PerConversation - 3.7) < 1e-9)  // percentile_cont over [0, 1, 4]
        #expect(report.activeHours == [.init(hour: 10, messages: 2), .init(hour: 14, messages: 2)])
        #expect(report.messagesPerDay.count == 30)
        let today = try scratch.database.read { try $0.query("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')")[0].decode(String.self) }
        let twoDaysAgo = try scratch.database.read {
            try $0.query("SELECT to_char((now() AT TIME ZONE 'UTC')::date - 2, 'YYYY-MM-DD')")[0].decode(String.self)
        }
        #expect(report.messagesPerDay.last == .init(date: today, messages: 3))
        #expect(report.messagesPerDay.first(where: { $0.date == twoDaysAgo })?.messages == 1)
        #expect(report.messagesPerDay.map(\.messages).reduce(0, +) == 4)

        let run = try UserImportCommandTests.parley(["stats", "--json"], environment: ["DATABASE_URL": scratch.url])
        #expect(run.status == 0, "\(run.errors)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        #expect(json["messages"] as? Int == 5 && json["users"] as? Int == 3)
        let text = try UserImportCommandTests.parley(["stats"], environment: ["DATABASE_URL": scratch.url])
        #expect(text.output.contains("Messages:       5"))
        #expect(text.output.contains("  \(today)  3"))
    }

    @Test("/admin/stats: admins see the figures; anyone else signed in gets 403, visitors are sent to log in")
    func adminOnly() throws {
        let harness = try APIHarness.pages()
        let browser = PageBrowser(harness)
        let name = uniqueName("st")
        _ = try browser.signUp(name)
        #expect(try browser.get("/admin/stats").status == 403)
        #expect(try PageBrowser(harness).get("/admin/stats").status == 303)
        try harness.database.write { try $0.execute("UPDATE users SET role = 'admin' WHERE username = \(name)") }
        let page = try browser.get("/admin/stats")
        #expect(page.status == 200)
        #expect(page.text.contains("<h1>Statistics</h1>"))
        #expect(page.text.contains("id=\"stat-users\""))
        #expect(page.text.contains("<a href=\"/admin/stats\" aria-current=\"page\">Stats</a>"))
    }
}
