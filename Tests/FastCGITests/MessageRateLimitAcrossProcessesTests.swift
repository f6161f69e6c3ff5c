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
        /// A client address of this run's own, so per-address limits (registration, log-in
        /// failures) that other suites' requests from 127.0.0.1 fill up do not apply to it.
        let clientAddress: String

        func send(_ method: String, _ uri: String, json: [String: Any]? = nil, token: String? = nil) throws -> FastCGIClient.Response {
            var headers: [String: String] = [:]
            var body: [UInt8] = []
            if let json {
                body = Array(try JSONSerialization.data(withJSONObject: json))
                headers["Content-Type"] = "application/json"
            }
            if let token { headers["Authorization"] = "Bearer \(token)" }
            let client = try FastCGIClient(unixPath: socket)
            var params = FastCGIClient.params(method: method, uri: uri, headers: headers, contentLength: body.isEmpty ? nil : body.count)
            params = params.map { $0.0 == "REMOTE_ADDR" ? ($0.0, clientAddress) : $0 }
            try client.begin()
            try client.sendParams(params)
            try client.sendStdin(body, end: true)
            return try client.readResponse()
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
            "PARLEY_REGISTRATIONS_PER_ADDRESS": "1000",
        ]
        let (first, firstSocket) = try startParley(environment: environment)
        defer { first.terminate() }
        let (second, secondSocket) = try startParley(environment: environment)
        defer { second.terminate() }
        #expect(first.pid != second.pid)
        let address = "198.18.\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"  // RFC 2544 benchmarking range
        let instances = [
            Instance(process: first, socket: firstSocket, clientAddress: address),
            Instance(process: second, socket: secondSocket, clientAddress: address),
        ]

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
