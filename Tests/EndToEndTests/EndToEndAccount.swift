import Foundation
import ParleyTesting
import Testing

/// A user registered and logged in through the API of the stack's nginx, as an outside client
/// would: a new username from `prefix` each time.
struct EndToEndAccount {
    let id: String
    let username: String
    /// The access token of `POST /api/token/`.
    let token: String

    static let password = "correct horse battery staple"

    static func register(_ prefix: String) throws -> EndToEndAccount {
        let https = try TestEnvironment.httpsURL
        let json = ["Content-Type": "application/json"]
        let name = "\(prefix)\(UInt32.random(in: 0...UInt32.max))"
        let registered = try Curl.request(https + "/api/register/", method: "POST", headers: json, body: Array(
            "{\"username\":\"\(name)\",\"email\":\"\(name)@example.com\",\"password\":\"\(password)\",\"first_name\":\"E\",\"last_name\":\"E\"}".utf8))
        #expect(registered.status == 201, "\(registered.bodyText)")
        let login = try Curl.request(https + "/api/token/", method: "POST", headers: json, body: Array(
            "{\"username\":\"\(name)\",\"password\":\"\(password)\"}".utf8))
        let tokens = try #require(try JSONSerialization.jsonObject(with: Data(login.body)) as? [String: Any])
        let user = try #require(try JSONSerialization.jsonObject(with: Data(registered.body)) as? [String: Any])
        return EndToEndAccount(id: try #require(user["user_id"] as? String), username: name, token: try #require(tokens["access"] as? String))
    }
}
