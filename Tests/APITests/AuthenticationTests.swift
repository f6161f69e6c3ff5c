import Foundation
import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Testing
import Web

/// Bearer authentication on `/api/`: JWT verification and the 401s DRF clients expect.
@Suite("Bearer authentication", .enabled(if: TestEnvironment.runsIntegration))
struct AuthenticationTests {
    @Test("a valid access token authenticates; the user id appears in the context")
    func validToken() throws {
        let harness = try APIHarness()
        let user = try harness.makeUser()
        let request = Request(method: .get, uri: "/api/anything/", headers: ["Authorization": "Bearer \(user.token)"])
        let context = AppContext(request: request, database: harness.database, logger: harness.logger)
        _ = harness.application.respond(to: request, context: context)
        #expect(context.user?.id == user.id)
        #expect(context.userID == user.id.uuidString.lowercased())
    }

    @Test("tampered, foreign, expired, alg:none and refresh tokens are refused with 401 and a Bearer challenge")
    func badTokens() throws {
        let harness = try APIHarness()
        let user = try harness.makeUser()
        let parts = user.token.split(separator: ".").map(String.init)
        var claims = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(parts[1])!)) as! [String: Any]
        claims["user_id"] = UUID().uuidString
        let editedPayload = Base64URL.encode(try JSONSerialization.data(withJSONObject: claims))
        let noneHeader = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let otherKey = JWTSigner(key: Sodium.randomBytes(32)).sign(JWTClaims(tokenType: .access, userID: user.id, issuedAt: Date(), lifetime: .seconds(300)))
        let expired = JWTSigner(key: harness.configuration.auth.jwtKey).sign(JWTClaims(tokenType: .access, userID: user.id, issuedAt: Date().addingTimeInterval(-3600), lifetime: .seconds(60)))
        let refresh = JWTSigner(key: harness.configuration.auth.jwtKey).sign(JWTClaims(tokenType: .refresh, userID: user.id, issuedAt: Date(), lifetime: .seconds(300)))
        let unknownUser = harness.accessToken(for: UUID())
        let bad = [
            parts[0] + "." + editedPayload + "." + parts[2],
            noneHeader + "." + parts[1] + ".",
            otherKey, expired, refresh, unknownUser, "garbage", "",
        ]
        for token in bad {
            let response = try harness.request(.get, "/api/anything/", token: token)
            #expect(response.status == 401, "token \(token.prefix(20))… was accepted")
            #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            #expect(response.detail != nil)
        }
        let basic = try harness.request(.get, "/api/anything/", headers: ["Authorization": "Basic dXNlcjpwYXNz"])
        #expect(basic.status == 401)
    }
}
