import FoundationEssentials
import Web

/// The claims Parley puts in its JSON Web Tokens, named as djangorestframework-simplejwt names
/// them, so DRF clients read them unchanged.
public struct JWTClaims: Decodable, Sendable, Equatable {
    public enum TokenType: String, Codable, Sendable {
        case access
        case refresh
    }

    public var tokenType: TokenType
    public var userID: UUID
    /// Expiry and issue time, seconds since 1970.
    public var exp: Int
    public var iat: Int
    /// A unique id per token (refresh tokens are looked up by it).
    public var jti: String
    /// Refresh tokens: the family every rotation of one log-in shares (RFC 9700 reuse detection).
    public var family: String?

    enum CodingKeys: String, CodingKey {
        case tokenType = "token_type"
        case userID = "user_id"
        case exp, iat, jti
        case family = "fam"
    }

    public init(tokenType: TokenType, userID: UUID, issuedAt: Date, lifetime: Duration, jti: String = Sodium.randomToken(bytes: 16), family: String? = nil) {
        self.tokenType = tokenType
        self.userID = userID
        self.iat = Int(issuedAt.timeIntervalSince1970)
        self.exp = iat + Int(lifetime.components.seconds)
        self.jti = jti
        self.family = family
    }
}

extension JWTClaims: Encodable {
    /// Keys in name order, as the `.sortedKeys` `JSONEncoder` that signed earlier tokens wrote
    /// them, so that the same claims are the same bytes.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(exp, forKey: .exp)
        try container.encodeIfPresent(family, forKey: .family)
        try container.encode(iat, forKey: .iat)
        try container.encode(jti, forKey: .jti)
        try container.encode(tokenType, forKey: .tokenType)
        try container.encode(userID, forKey: .userID)
    }
}

/// Why a token was refused. The client sees one message for all of them (no oracle).
public struct JWTError: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { "invalid token: \(reason)" }
}

/// HS256 JSON Web Tokens. The algorithm is fixed by the server: a token whose header names any
/// other (`none` included) is refused before its signature is even looked at.
public struct JWTSigner: Sendable {
    private let key: HMACKey
    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    public init(key: [UInt8]) {
        precondition(key.count >= 32, "an HS256 key needs at least 32 bytes")
        self.key = HMACKey(key)
    }

    public func sign(_ claims: JWTClaims) -> String {
        // Foundation's encoder escaped `/`, the writer does not: the claims' strings are a UUID
        // and base64url tokens, which have none, so the bytes are the same.
        let payload = Base64URL.encode((try? JSON.encode(claims)) ?? [])
        let signingInput = JWTSigner.header + "." + payload
        return signingInput + "." + Base64URL.encode(key.authenticate(signingInput.utf8))
    }

    /// Verifies signature, algorithm and expiry, and returns the claims.
    public func verify(_ token: String, now: Date = Date()) throws(JWTError) -> JWTClaims {
        // Sliced on the UTF-8 bytes, without a String per part: every API request carries a token.
        let bytes = Array(token.utf8)
        let dot = UInt8(ascii: ".")
        guard let firstDot = bytes.firstIndex(of: dot),
              let secondDot = bytes[(firstDot + 1)...].firstIndex(of: dot),
              !bytes[(secondDot + 1)...].contains(dot)
        else { throw JWTError(reason: "not three parts") }
        let header = bytes[..<firstDot]
        // The header parsed only when it is not the one this signer writes (every token it
        // issued): decoding a header known in advance, on every API request, is waste.
        if !header.elementsEqual(Self.headerBytes) {
            guard let headerBytes = Base64URL.decode(bytes: header),
                  let header = try? JSONDecoder().decode(JWTHeader.self, from: Data(headerBytes)),
                  header.alg == "HS256"
            else { throw JWTError(reason: "algorithm is not HS256") }
        }
        guard let signature = Base64URL.decode(bytes: bytes[(secondDot + 1)...]) else { throw JWTError(reason: "signature is not base64url") }
        let expected = key.authenticate(bytes[..<secondDot])
        guard Sodium.constantTimeEquals(signature, expected) else { throw JWTError(reason: "bad signature") }
        guard let payload = Base64URL.decode(bytes: bytes[(firstDot + 1)..<secondDot]),
              let claims = JWTClaims(compact: payload) ?? (try? JSONDecoder().decode(JWTClaims.self, from: Data(payload)))
        else { throw JWTError(reason: "malformed claims") }
        try claims.checkExpiry(now: now)
        return claims
    }

    private static let headerBytes = Array(header.utf8)
}

extension JWTClaims {
    /// Throws once `exp` is past.
    func checkExpiry(now: Date) throws(JWTError) {
        guard Double(exp) > now.timeIntervalSince1970 else { throw JWTError(reason: "expired") }
    }
}

/// The JOSE header field that ``JWTSigner/verify(_:)`` checks.
private struct JWTHeader: Decodable {
    let alg: String
}
