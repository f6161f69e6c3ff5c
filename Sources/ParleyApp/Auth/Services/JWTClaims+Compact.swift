import FoundationEssentials

extension JWTClaims {
    /// The claims of a payload written as ``JWTSigner`` writes them: one flat object, no
    /// whitespace, integers and strings without escapes. Anything else is nil, and the caller
    /// falls back to `JSONDecoder` (so what is accepted never differs). Foundation's decoder cost
    /// more than the rest of the token's check (bench/README.md, "API requests").
    init?(compact bytes: [UInt8]) {
        var scanner = CompactObjectScanner(bytes)
        var exp: Int?, iat: Int?, jti: String?, family: String?, tokenType: TokenType?, userID: UUID?
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        repeat {
            guard let key = scanner.string() else { return nil }
            guard scanner.take(UInt8(ascii: ":")) else { return nil }
            // A value that does not read ends it there (nil), as does an unknown or repeated key.
            switch key {
            case "exp" where exp == nil: guard let value = scanner.integer() else { return nil }; exp = value
            case "iat" where iat == nil: guard let value = scanner.integer() else { return nil }; iat = value
            case "jti" where jti == nil: guard let value = scanner.string() else { return nil }; jti = value
            case "fam" where family == nil: guard let value = scanner.string() else { return nil }; family = value
            case "token_type" where tokenType == nil:
                guard let value = scanner.string().flatMap(TokenType.init(rawValue:)) else { return nil }
                tokenType = value
            case "user_id" where userID == nil:
                guard let value = scanner.string().flatMap({ UUID(apiString: $0) }) else { return nil }
                userID = value
            default: return nil
            }
        } while scanner.take(UInt8(ascii: ","))
        guard scanner.take(UInt8(ascii: "}")), scanner.isAtEnd,
              let exp, let iat, let jti, let tokenType, let userID
        else { return nil }
        self.tokenType = tokenType
        self.userID = userID
        self.exp = exp
        self.iat = iat
        self.jti = jti
        self.family = family
    }
}

/// Reads the compact JSON ``JWTClaims/init(compact:)`` accepts; each read is nil on anything
/// outside it.
private struct CompactObjectScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index == bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A string of printable ASCII without `"` or `\`.
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            guard (0x20...0x7E).contains(bytes[index]), bytes[index] != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A non-negative integer as JSON writes it (no leading zeros), within `Int`.
    mutating func integer() -> Int? {
        let start = index
        var value = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdding) = times10.addingReportingOverflow(Int(bytes[index] - UInt8(ascii: "0")))
            guard !overflow, !overflowAdding else { return nil }
            value = sum
            index += 1
        }
        let length = index - start
        guard length > 0, length == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        return value
    }
}
