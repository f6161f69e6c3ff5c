import Foundation
@testable import ParleyApp
import Testing
import Web

/// JWT payloads and the OpenAPI document are written by the one JSON writer now; their bytes
/// must be what Foundation's `.sortedKeys` encoder wrote before (a token's signature covers them,
/// and the document's ETag is its hash).
@Suite("JSONWriter writes the bytes Foundation wrote")
struct JSONWriterParityTests {
    static func foundation<T: Encodable>(_ value: T, _ formatting: JSONEncoder.OutputFormatting) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        return Array(try encoder.encode(value))
    }

    @Test("JWT claims, with and without a family", arguments: [nil, "fam-Ily_0123456789abcdefghij"])
    func jwtClaims(family: String?) throws {
        let claims = JWTClaims(
            tokenType: .refresh, userID: UUID(uuidString: "00000000-0000-4000-A000-00000000002A")!,
            issuedAt: Date(timeIntervalSince1970: 1_795_681_045), lifetime: .seconds(300), jti: "jti-_Zz09", family: family)
        #expect(try JSON.encode(claims) == Self.foundation(claims, .sortedKeys))
        let payload = try #require(JWTSigner(key: Array(repeating: 7, count: 32)).sign(claims).split(separator: ".").dropFirst().first)
        #expect(Base64URL.decode(payload) == (try Self.foundation(claims, .sortedKeys)))
    }

    @Test("a token signed with Foundation's bytes still verifies")
    func oldTokenVerifies() throws {
        let key = Array(repeating: UInt8(9), count: 32)
        let claims = JWTClaims(tokenType: .access, userID: UUID(), issuedAt: Date(), lifetime: .seconds(300))
        let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let input = header + "." + Base64URL.encode(try Self.foundation(claims, .sortedKeys))
        let token = input + "." + Base64URL.encode(Sodium.hmacSHA256(key: key, message: Array(input.utf8)))
        #expect(try JWTSigner(key: key).verify(token) == claims)
        #expect(JWTSigner(key: key).sign(claims) == token)
    }

    @Test("the OpenAPI document")
    func openAPIDocument() throws {
        let document = OpenAPIDocument.build(configuration: .testing())
        #expect(try document.encoded() == Self.foundation(document, [.sortedKeys, .withoutEscapingSlashes]))
    }

    @Test("keys that differ in case and in digits sort as Foundation sorts them")
    func keyOrder() throws {
        let value: OpenAPIValue = ["b": 1, "B": 2, "a10": 3, "a9": 4, "_x": 5, "$ref": 6, "Ab": 7, "aB": 8, "201": 9, "1000": 10]
        #expect(try value.encoded() == Self.foundation(value, [.sortedKeys, .withoutEscapingSlashes]))
    }
}
