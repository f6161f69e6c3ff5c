import Foundation
@testable import ParleyApp
import ParleyTesting
import Postgres
import Web

/// Helpers for the accounts and tokens suites: registration through the API, unique names,
/// and requests from a chosen client address.
extension APIHarness {
    /// A configuration like `.testing()` with some auth settings changed.
    static func withAuth(_ change: (inout AuthConfiguration) -> Void) throws -> APIHarness {
        var configuration = AppConfiguration.testing()
        change(&configuration.auth)
        return try APIHarness(configuration: configuration)
    }

    /// Registers through `POST /api/register/` and returns the response (201 expected).
    @discardableResult
    func register(
        username: String, email: String? = nil, password: String = "correct horse battery",
        firstName: String = "Ada", lastName: String = "Lovelace", phoneNumber: String? = nil
    ) throws -> TestResponse {
        var body: [String: String] = [
            "username": username, "email": email ?? "\(username)@example.com", "password": password,
            "first_name": firstName, "last_name": lastName,
        ]
        if let phoneNumber { body["phone_number"] = phoneNumber }
        return try request(.post, "/api/register/", json: body)
    }

    /// Logs in and returns (access, refresh); records an issue if the log-in fails.
    func login(_ username: String, _ password: String = "correct horse battery") throws -> (access: String, refresh: String) {
        let response = try request(.post, "/api/token/", json: ["username": username, "password": password])
        guard response.status == 200, let access = response.object["access"] as? String, let refresh = response.object["refresh"] as? String else {
            throw LoginFailed(description: "log-in of \(username) failed: \(response.status) \(response.text)")
        }
        return (access, refresh)
    }

    /// A request as if from `address` (the harness always says 127.0.0.1).
    func request(from address: String, _ method: HTTPMethod, _ uri: String, json: [String: String]) throws -> TestResponse {
        var headers = HTTPHeaders()
        headers["Host"] = "testserver"
        headers["Content-Type"] = "application/json"
        let request = Request(method: method, uri: uri, headers: headers, body: Array(try JSONEncoder().encode(json)), remoteAddress: address, isSecure: true)
        return TestResponse(application.respond(to: request, context: AppContext(request: request, database: database, logger: logger)))
    }

    func storedHash(_ userID: UUID) throws -> String {
        try database.read { try $0.query("SELECT password_hash FROM users WHERE user_id = \(userID)").first!.decode(String.self) }
    }

    func count(_ sql: PostgresQuery) throws -> Int {
        try database.read { try $0.query(sql).first!.decode(Int.self) }
    }
}

struct LoginFailed: Error, CustomStringConvertible {
    let description: String
}

/// A name no other test (or earlier run) has used.
func uniqueName(_ prefix: String = "u") -> String {
    "\(prefix)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
}

extension TestResponse {
    var userID: UUID? { (object["user_id"] as? String).flatMap(UUID.init(uuidString:)) }
    /// DRF field errors: `{"field": ["message"]}`.
    func errors(_ field: String) -> [String] { object[field] as? [String] ?? [] }
}
