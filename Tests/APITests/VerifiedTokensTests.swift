import Foundation
@testable import ParleyApp
import Testing

/// An access token's signature is checked once per process; what a client relies on is that
/// only that very token is taken on trust, and never past its expiry.
@Suite("Verified access tokens")
struct VerifiedTokensTests {
    let signer = JWTSigner(key: Array(repeating: 7, count: 32))
    let userID = UUID(uuidString: "00000000-0000-4000-A000-00000000002A")!

    func token(issuedAt: Date = Date(), lifetime: Duration = .seconds(300)) -> String {
        signer.sign(JWTClaims(tokenType: .access, userID: userID, issuedAt: issuedAt, lifetime: lifetime))
    }

    @Test("a token is verified once, and its claims are the signer's")
    func verifiedOnce() throws {
        let cache = VerifiedTokens()
        let token = token()
        var verified = 0
        let verify = { (text: String) throws -> JWTClaims in verified += 1; return try signer.verify(text) }
        let first = try cache.claims(of: token, verify: verify)
        let second = try cache.claims(of: token, verify: verify)
        #expect(verified == 1)
        #expect(first == second)
        #expect(first.userID == userID)
    }

    @Test("a remembered token is refused once it has expired")
    func expiry() throws {
        let cache = VerifiedTokens()
        let token = token(lifetime: .seconds(60))
        _ = try cache.claims(of: token) { try signer.verify($0) }
        #expect(throws: JWTError.self) {
            try cache.claims(of: token, now: Date().addingTimeInterval(120)) { _ in Issue.record("verified again"); return try signer.verify(token) }
        }
    }

    @Test("a token that fails is not remembered, and a token one byte away is verified afresh")
    func onlyTheVerifiedBytes() throws {
        let cache = VerifiedTokens()
        let good = token()
        var tampered = Array(good.utf8)
        tampered[tampered.count - 2] = tampered[tampered.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let bad = String(decoding: tampered, as: UTF8.self)
        _ = try cache.claims(of: good) { try signer.verify($0) }
        var verified = 0
        for _ in 0..<2 {
            #expect(throws: JWTError.self) {
                try cache.claims(of: bad) { verified += 1; return try signer.verify($0) }
            }
        }
        #expect(verified == 2, "a refused token is checked every time")
    }

    @Test("at its capacity the cache starts again, and forgotten tokens are verified again")
    func capacity() throws {
        let cache = VerifiedTokens(capacity: 2)
        let tokens = (0..<3).map { token(issuedAt: Date().addingTimeInterval(Double($0))) }
        var verified = 0
        for token in tokens + [tokens[0]] {
            _ = try cache.claims(of: token) { verified += 1; return try signer.verify($0) }
        }
        #expect(verified == 4, "the third token emptied the cache, so the first was verified again")
        _ = try cache.claims(of: tokens[0]) { verified += 1; return try signer.verify($0) }
        #expect(verified == 4)
    }
}
