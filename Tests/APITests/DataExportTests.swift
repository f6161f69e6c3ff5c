import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing

/// `GET /api/users/me/export/` in process: what the lines hold, and one export per user.
@Suite("Bulk: data export", .enabled(if: TestEnvironment.hasDatabase))
struct DataExportTests {
    /// Alice and Bob in a conversation; Alice sent two messages (one edited), Bob one that
    /// notifies Alice.
    func scene(_ harness: APIHarness) throws -> (alice: TestUser, bob: TestUser) {
        let alice = try harness.makeUser(firstName: "Alice")
        let bob = try harness.makeUser(firstName: "Bob")
        let created = try harness.request(.post, "/api/conversations/", json: NewConversation(participant_ids: [bob.id.apiString], title: "Plans"), token: alice.token)
        #expect(created.status == 201, "\(created.text)")
        let conversation = try #require(created.object["conversation_id"] as? String)
        let first = try harness.request(.post, "/api/conversations/\(conversation)/messages/", json: NewMessage(message_body: "first \"quoted\"\nline"), token: alice.token)
        #expect(first.status == 201)
        let firstID = try #require(first.object["message_id"] as? String)
        #expect(try harness.request(.patch, "/api/messages/\(firstID)/", json: ["message_body": "first, edited"], token: alice.token).status == 200)
        #expect(try harness.request(.post, "/api/conversations/\(conversation)/messages/", json: NewMessage(message_body: "second"), token: alice.token).status == 201)
        #expect(try harness.request(.post, "/api/conversations/\(conversation)/messages/", json: NewMessage(message_body: "from bob"), token: bob.token).status == 201)
        return (alice, bob)
    }

    func lines(_ response: TestResponse) throws -> [[String: Any]] {
        try response.text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test("every line is a JSON object with a type: the profile, the conversation, only the caller's messages, notifications and edits")
    func contents() throws {
        let harness = try messagingHarness()
        let (alice, bob) = try scene(harness)
        let response = try harness.request(.get, "/api/users/me/export/", token: alice.token)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/x-ndjson")
        #expect(response.header("X-Accel-Buffering") == "no")
        #expect(response.header("Content-Length") == nil)
        let lines = try lines(response)
        #expect(lines.map { $0["type"] as? String } == ["profile", "conversation", "message", "message", "notification", "message_edit"])
        #expect(lines[0]["username"] as? String == alice.username && lines[0]["password_hash"] == nil)
        #expect((lines[1]["participants"] as? [String])?.sorted() == [alice.username, bob.username].sorted())
        #expect(lines[2]["message_body"] as? String == "first, edited")
        #expect(lines[3]["message_body"] as? String == "second")
        #expect(lines[5]["old_body"] as? String == "first \"quoted\"\nline")
        #expect((lines[2]["sent_at"] as? String)?.hasSuffix("Z") == true)

        let bobs = try self.lines(try harness.request(.get, "/api/users/me/export/", token: bob.token))
        #expect(bobs.map { $0["type"] as? String } == ["profile", "conversation", "message", "notification", "notification"])
        #expect(bobs[2]["message_body"] as? String == "from bob")

        #expect(try harness.request(.get, "/api/users/me/export/").status == 401)
    }

    @Test("while an export of a user runs, a second gets 429 with a clear message; afterwards it runs again")
    func oneAtATime() throws {
        let harness = try messagingHarness()
        let user = try harness.makeUser()
        // Another connection (another worker) holds the user's export lock.
        let other = PostgresDatabase(configuration: PostgresConfiguration(url: try TestEnvironment.databaseURL), logger: harness.logger)
        let export = DataExport(repository: PostgresExportRepository(database: other))
        try export.begin(userID: user.id)
        let refused = try harness.request(.get, "/api/users/me/export/", token: user.token)
        #expect(refused.status == 429)
        #expect(refused.detail == ExportController.busyMessage)
        #expect(refused.header("Retry-After") == "10")
        // Someone else's export is not held up.
        #expect(try harness.request(.get, "/api/users/me/export/", token: try harness.makeUser().token).status == 200)
        export.finish(userID: user.id)
        #expect(try harness.request(.get, "/api/users/me/export/", token: user.token).status == 200)
        // A HEAD is answered without producing the body, and releases the lock as well.
        #expect(try harness.request(.head, "/api/users/me/export/", token: user.token).status == 200)
        #expect(try export.repository.lock(userID: user.id))
        export.finish(userID: user.id)
    }

    @Test("the account page links to the export, which answers the signed-in browser")
    func accountPage() throws {
        let harness = try APIHarness.pages()
        let browser = PageBrowser(harness)
        let name = uniqueName("exp")
        _ = try browser.signUp(name)
        let page = try browser.get("/account")
        #expect(page.text.contains("<a href=\"/account/export\" download>Export my data</a>"))
        let export = try browser.get("/account/export")
        #expect(export.status == 200)
        #expect(export.header("Content-Disposition") == "attachment; filename=\"parley-export-\(name.filter { $0.isLetter || $0.isNumber }).ndjson\"")
        #expect(try lines(export).first?["username"] as? String == name)
        let anonymous = try PageBrowser(harness).get("/account/export")
        #expect(anonymous.status == 303)
    }

    @Test("parley export writes the same lines to a file, and CSV with a header")
    func command() throws {
        guard TestEnvironment.runsIntegration else { return }
        let harness = try messagingHarness()
        let (alice, _) = try scene(harness)
        let path = (try TestEnvironment.scratchDirectory as NSString).appendingPathComponent("export-\(alice.username).ndjson")
        let run = try UserImportCommandTests.parley(["export", "--user", alice.username.uppercased(), "--output", path, "--quiet"])
        #expect(run.status == 0, "\(run.errors)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == (try harness.request(.get, "/api/users/me/export/", token: alice.token)).text)
        let csv = try UserImportCommandTests.parley(["export", "--user", alice.username, "--format", "csv", "--quiet"])
        let rows = csv.output.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows.first == "message_id,conversation_id,parent_message_id,message_body,sent_at,edited_at")
        #expect(csv.output.contains(",\"first, edited\","))
        #expect(csv.output.split(separator: "\n").count == 3)
        let unknown = try UserImportCommandTests.parley(["export", "--user", uniqueName("nobody")])
        #expect(unknown.status == 1)
        #expect(unknown.errors.contains("There is no user named"))
    }
}
