import Foundation
import Logging
import ParleyApp
import ParleyTesting
import Postgres
import Web

/// The whole application in process, with its own PostgreSQL connection to the database that
/// `make test` migrated: requests go through the router and middleware exactly as from nginx,
/// without a socket.
final class APIHarness {
    let configuration: AppConfiguration
    let application: Application<AppContext>
    let database: PostgresDatabase
    let logger: Logger

    /// `logger` receives the application's and the database's log lines (none by default);
    /// `observer` is told of every statement and round trip on the database; `adjustDatabase`
    /// changes the session settings (a short lock timeout, say).
    init(
        configuration: AppConfiguration = .testing(), logger: Logger = Logger(label: "api-test") { _ in SwiftLogNoOpLogHandler() },
        observer: (any PostgresObserver)? = nil, adjustDatabase: (inout PostgresConfiguration) -> Void = { _ in }
    ) throws {
        self.configuration = configuration
        self.logger = logger
        application = ParleyApplication.build(configuration: configuration)
        var databaseConfiguration = PostgresConfiguration(url: try TestEnvironment.databaseURL)
        adjustDatabase(&databaseConfiguration)
        database = PostgresDatabase(configuration: databaseConfiguration, logger: logger, observer: observer)
    }

    /// Sends a request; `json` is encoded as the body with `Content-Type: application/json`.
    func request(
        _ method: HTTPMethod,
        _ uri: String,
        json: (any Encodable)? = nil,
        body: [UInt8]? = nil,
        token: String? = nil,
        headers: [String: String] = [:]
    ) throws -> TestResponse {
        var fields = HTTPHeaders()
        fields["Host"] = "testserver"
        for (name, value) in headers { fields[name] = value }
        var bytes = body ?? []
        if let json {
            bytes = Array(try FoundationJSON.encoder().encode(json))
            fields["Content-Type"] = "application/json"
        }
        if let token { fields["Authorization"] = "Bearer \(token)" }
        let request = Request(method: method, uri: uri, headers: fields, body: bytes, remoteAddress: "127.0.0.1", isSecure: true)
        let context = AppContext(request: request, database: database, logger: logger)
        return TestResponse(try application.respond(to: request, context: context).collectingStream())
    }

    /// A token for `userID` signed with this application's key, as `POST /api/token/` issues.
    func accessToken(for userID: UUID, lifetime: Duration = .seconds(300)) -> String {
        JWTSigner(key: configuration.auth.jwtKey).sign(JWTClaims(tokenType: .access, userID: userID, issuedAt: Date(), lifetime: lifetime))
    }

    /// A user inserted directly (unique username), with an access token. For tests of features
    /// other than registration itself.
    func makeUser(role: Role = .guest, firstName: String = "Test", lastName: String = "User") throws -> TestUser {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let username = "user_\(suffix)"
        let id = try database.write { connection in
            try connection.query("""
                INSERT INTO users (username, email, first_name, last_name, password_hash, role)
                VALUES (\(username), \(username + "@example.com"), \(firstName), \(lastName), 'not-a-usable-hash', \(role.rawValue))
                RETURNING user_id
                """).first!.decode(UUID.self)
        }
        return TestUser(id: id, username: username, email: username + "@example.com", token: accessToken(for: id))
    }
}

struct TestUser {
    let id: UUID
    let username: String
    let email: String
    let token: String
}

/// A response with its body parsed as JSON when it is JSON.
struct TestResponse {
    let response: Response

    init(_ response: Response) { self.response = response }

    var status: Int { response.status.code }
    var text: String { response.bodyText }
    func header(_ name: String) -> String? { response.headers[name] }

    /// The body as a JSON object (empty when it is not one).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    /// The body as a JSON array (empty when it is not one).
    var array: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [[String: Any]] ?? []
    }

    /// DRF's `{"detail": "…"}`.
    var detail: String? { object["detail"] as? String }
}
