import Foundation
import ParleyTesting
import Testing

/// The data export through the real nginx and socket: lines arrive as PostgreSQL produces
/// them, and a client that hangs up halfway stops the query and frees the worker.
@Suite("Bulk: export through nginx", .enabled(if: TestEnvironment.runsIntegration))
struct ExportEndToEndTests {
    static let messages = 100_000

    /// psql on the test database: one statement, its single value.
    func psql(_ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", try TestEnvironment.databaseURL, "-c", sql]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestEnvironmentError(message: "psql failed: \(sql)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `messages` messages of ~230 bytes each (23 MB of NDJSON) sent by `account`, one a second
    /// going back from now, in one conversation. (The id is a UUID the API returned.)
    func load(_ account: EndToEndAccount) throws {
        let id = try #require(UUID(uuidString: account.id)).uuidString
        _ = try psql("""
            WITH c AS (INSERT INTO conversations (title, created_by) VALUES ('bulk export', '\(id)') RETURNING conversation_id),
                 p AS (INSERT INTO conversation_participants (conversation_id, user_id) SELECT conversation_id, '\(id)' FROM c)
            INSERT INTO messages (conversation_id, sender_id, message_body, sent_at)
            SELECT c.conversation_id, '\(id)', repeat('x', 100) || ' ' || i, now() - make_interval(secs => i)
            FROM c, generate_series(1, \(Self.messages)) AS i
            """)
    }

    /// Backends running the export's messages statement (other than psql's).
    func runningExports() throws -> Int {
        Int(try psql("""
            SELECT count(*) FROM pg_stat_activity
            WHERE state = 'active' AND pid <> pg_backend_pid()
              AND query LIKE '%json_build_object(''type'', ''message'', ''message_id''%'
            """)) ?? -1
    }

    /// curl streaming the export to a pipe we read ourselves (HTTP/1.1: no HTTP/2 window to
    /// absorb the body, so a reader that stops holds the whole chain up to PostgreSQL).
    func startExport(_ account: EndToEndAccount) throws -> (Process, FileHandle) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = [
            "-s", "-k", "-N", "--http1.1", "-H", "Authorization: Bearer \(account.token)",
            (try TestEnvironment.httpsURL) + "/api/users/me/export/",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, output.fileHandleForReading)
    }

    @Test("the first lines arrive while the query still runs; a hang-up stops it at once and frees the lock and the worker")
    func streamsAndStops() throws {
        let account = try EndToEndAccount.register("export")
        try load(account)

        let (curl, output) = try startExport(account)
        var received = Data()
        while !received.contains(UInt8(ascii: "\n")) {
            let chunk = output.availableData
            try #require(!chunk.isEmpty, "the export ended before its first line")
            received.append(chunk)
        }
        let first = try #require(received.split(separator: UInt8(ascii: "\n")).first)
        let profile = try #require(try JSONSerialization.jsonObject(with: Data(first)) as? [String: Any])
        #expect(profile["type"] as? String == "profile" && profile["username"] as? String == account.username)
        // We stopped reading: the statement is still running, held back by the full pipes.
        var running = 0
        for _ in 0..<50 where running == 0 {
            running = try runningExports()
            if running == 0 { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(running >= 1, "the first bytes came only after the query had finished")

        // SIGKILL: the test process blocks SIGTERM for its signal thread, and children inherit that.
        kill(curl.processIdentifier, SIGKILL)
        curl.waitUntilExit()
        try? output.close()
        let hungUp = ContinuousClock.now
        while try runningExports() > 0, ContinuousClock.now - hungUp < .seconds(5) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(try runningExports() == 0, "the query kept running after the client hung up")
        #expect(ContinuousClock.now - hungUp < .seconds(3))

        // The lock is free and a worker answers: a whole export runs, every line JSON.
        let whole = try Curl.request(
            (try TestEnvironment.httpsURL) + "/api/users/me/export/", headers: ["Authorization": "Bearer \(account.token)"],
            extraArguments: ["--max-time", "120"])
        #expect(whole.status == 200)
        #expect(whole.header("Content-Type") == "application/x-ndjson")
        let lines = whole.body.split(separator: UInt8(ascii: "\n"))
        #expect(lines.count == Self.messages + 2)  // the profile, the conversation, the messages
        var types: [String: Int] = [:]
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            types[object["type"] as? String ?? "?", default: 0] += 1
        }
        #expect(types == ["profile": 1, "conversation": 1, "message": Self.messages])
    }
}
