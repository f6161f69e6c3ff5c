import Foundation
import ParleyTesting
import Testing

/// The message rate limit lives in PostgreSQL, so it holds across parley instances: two
/// `parley serve` processes behind the same nginx upstream count one user's posts together.
@Suite("Message rate limit across processes", .enabled(if: TestEnvironment.runsIntegration))
struct MessageRateLimitAcrossProcessesTests {
    static let limit = 4

    struct Instance {
        let process: ChildProcess
        let socket: String

        func send(_ method: String, _ uri: String, json: [String: Any]? = nil, token: String? = nil) throws -> FastCGIClient.Response {
            var headers: [String: String] = [:]
            var body: [UInt8] = []
            if let json {
                body = Array(try JSONSerialization.data(withJSONObject: json))
                headers["Content-Type"] = "application/json"
            }
            if let token { headers["Authorization"] = "Bearer \(token)" }
            return try FastCGIClient(unixPath: socket).send(method: method, uri: uri, headers: headers, body: body)
        }
    }

    static func object(_ response: FastCGIClient.Response) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    @Test("posts alternated between two processes trip the limit at the same total as on one")
    func limitIsShared() throws {
        let environment = [
            // The same signing key on both, so a token from one works on the other.
            "PARLEY_JWT_SECRET": "cross-process-test-secret-" + UUID().uuidString,
            "PARLEY_MESSAGE_RATE_LIMIT": String(Self.limit),
            "PARLEY_MESSAGE_RATE_WINDOW_SECONDS": "300",
        ]
        let (first, firstSocket) = try startParley(environment: environment)
        defer { first.terminate() }
        let (second, secondSocket) = try startParley(environment: environment)
        defer { second.terminate() }
        #expect(first.pid != second.pid)
        let instances = [Instance(process: first, socket: firstSocket), Instance(process: second, socket: secondSocket)]

        // A user registered on one process, logged in on the other.
        let username = "xproc_" + UUID().uuidString.prefix(8).lowercased()
        let password = "Rate-limit across processes " + UUID().uuidString
        let registered = try instances[0].send("POST", "/api/register/", json: [
            "username": username, "email": "\(username)@example.com", "password": password, "first_name": "Cross", "last_name": "Process",
        ])
        #expect(registered.status == 201, "\(registered.bodyText)")
        let login = try instances[1].send("POST", "/api/token/", json: ["username": username, "password": password])
        #expect(login.status == 200, "\(login.bodyText)")
        let token = try #require(Self.object(login)["access"] as? String)
        let created = try instances[0].send("POST", "/api/conversations/", json: ["participant_ids": [String](), "title": "xproc"], token: token)
        #expect(created.status == 201, "\(created.bodyText)")
        let conversation = try #require(Self.object(created)["conversation_id"] as? String)

        var statuses: [Int] = []
        var retryAfter: [String?] = []
        for index in 0..<(Self.limit * 2) {
            let response = try instances[index % 2].send(
                "POST", "/api/conversations/\(conversation)/messages/", json: ["message_body": "post \(index)"], token: token)
            statuses.append(response.status)
            retryAfter.append(response.header("Retry-After"))
        }
        #expect(statuses == Array(repeating: 201, count: Self.limit) + Array(repeating: 429, count: Self.limit),
                "alternating processes: \(statuses)")
        #expect(retryAfter[Self.limit...].allSatisfy { ($0.flatMap(Int.init) ?? 0) >= 1 }, "\(retryAfter)")
        // Both processes refused once over the limit (posts 4.. alternate between them).
        #expect(Set(retryAfter[Self.limit...].indices.map { $0 % 2 }) == [0, 1])

        let listed = try instances[1].send("GET", "/api/conversations/\(conversation)/messages/", token: token)
        #expect(Self.object(listed)["count"] as? Int == Self.limit, "only the allowed posts were stored")
    }
}
