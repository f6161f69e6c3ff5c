import Foundation
@testable import ParleyApp
import Testing
import Web

/// Verification reads the claims the signer wrote without JSONDecoder; anything else falls back
/// to the decoder, so the two must agree on what the signer writes and the fast read must refuse
/// everything outside it.
@Suite("JWT claims: the compact read agrees with JSONDecoder")
struct JWTClaimsCompactTests {
    static let userID = UUID(uuidString: "00000000-0000-4000-A000-00000000002A")!

    @Test("the signer's payloads, with and without a family, access and refresh")
    func signerPayloads() throws {
        for type in [JWTClaims.TokenType.access, .refresh] {
            for family in [nil, "fam-Ily_0123456789abcdefghij"] {
                let claims = JWTClaims(
                    tokenType: type, userID: Self.userID, issuedAt: Date(timeIntervalSince1970: 1_795_681_045),
                    lifetime: .seconds(300), family: family)
                let payload = try JSON.encode(claims)
                #expect(JWTClaims(compact: payload) == claims)
                #expect(try JSONDecoder().decode(JWTClaims.self, from: Data(payload)) == claims)
            }
        }
    }

    @Test("anything outside the signer's form is left to the decoder", arguments: [
        #"{ "exp":2,"iat":1,"jti":"j","token_type":"access","user_id":"00000000-0000-4000-a000-00000000002a"}"#,
        #"{"exp":2,"iat":1,"jti":"j\/","token_type":"access","user_id":"00000000-0000-4000-a000-00000000002a"}"#,
        #"{"exp":2,"iat":1,"jti":"j","token_type":"access","user_id":"00000000-0000-4000-a000-00000000002a","x":1}"#,
        #"{"exp":2,"exp":3,"iat":1,"jti":"j","token_type":"access","user_id":"00000000-0000-4000-a000-00000000002a"}"#,
        #"{"exp":02,"iat":1,"jti":"j","token_type":"access","user_id":"00000000-0000-4000-a000-00000000002a"}"#,
        #"{"exp":99999999999999999999,"iat":1,"jti":"j","token_type":"access","user_id":"00000000-0000-4000-a000-00000000002a"}"#,
        #"{"exp":-2,"iat":1,"jti":"j","token_type":"access","user_id":"00000000-0000-4000-a000-00000000002a"}"#,
        #"{"exp":2.5,"iat":1,"jti":"j","token_type":"access","user_id":"00000000-0000-4000-a000-00000000002a"}"#,
        #"{"exp":2,"iat":1,"jti":"j","token_type":"access"}"#,
        #"{"exp":2,"iat":1,"jti":"j","fam":null,"token_type":"access","user_id":"00000000-0000-4000-a000-00000000002a"}"#,
        #"{"exp":2,"iat":1,"jti":"j","token_type":"other","user_id":"00000000-0000-4000-a000-00000000002a"}"#,
        #"{"exp":2,"iat":1,"jti":"j","token_type":"access","user_id":"not-a-uuid"}"#,
        #"{"exp":2,"iat":1,"jti":"j","token_type":"access","user_id":"00000000-0000-4000-a000-00000000002a"} "#,
        #"{"exp":2,"iat":1,"jti":"é","token_type":"access","user_id":"00000000-0000-4000-a000-00000000002a"}"#,
        #"{"exp":2,"iat":1,"jti":"j","token_type":"access","user_id":"00000000-0000-4000-a000-00000000002a""#,
        "",
    ])
    func outsideTheForm(text: String) {
        #expect(JWTClaims(compact: Array(text.utf8)) == nil)
    }

    @Test("keys in another order read the same as through the decoder")
    func otherOrder() throws {
        let text = #"{"user_id":"00000000-0000-4000-A000-00000000002A","token_type":"refresh","jti":"j","iat":1,"fam":"f","exp":2}"#
        let decoded = try JSONDecoder().decode(JWTClaims.self, from: Data(text.utf8))
        #expect(JWTClaims(compact: Array(text.utf8)) == decoded)
    }

    @Test("a token whose payload is valid JSON in another form still verifies, through the decoder")
    func fallbackVerifies() throws {
        let key = Array(repeating: UInt8(5), count: 32)
        let payload = #"{ "exp": 4102444800, "iat": 1, "jti": "j\/k", "token_type": "access", "user_id": "00000000-0000-4000-a000-00000000002a" }"#
        let input = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let token = input + "." + Base64URL.encode(Sodium.hmacSHA256(key: key, message: Array(input.utf8)))
        let claims = try JWTSigner(key: key).verify(token)
        #expect(claims.jti == "j/k")
        #expect(claims.userID == Self.userID)
        #expect(throws: JWTError.self) { try JWTSigner(key: key).verify(token + "x") }
        #expect(throws: JWTError.self) { try JWTSigner(key: key).verify(token + ".") }
    }
}
