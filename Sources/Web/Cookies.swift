/// Cookies sent by the client (`Cookie:` header), parsed leniently as browsers send them.
public struct Cookies: Sendable {
    private var values: [String: String] = [:]

    public init(header: String?) {
        guard let header else { return }
        for part in header.split(separator: ";") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let name = part[..<equals].trimmingSpaces()
            var value = part[part.index(after: equals)...].trimmingSpaces()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            // The first occurrence wins, as in browsers' most-specific-path-first order.
            if !name.isEmpty, values[name] == nil { values[name] = value }
        }
    }

    public subscript(name: String) -> String? { values[name] }

    public var count: Int { values.count }
}

/// A `Set-Cookie` header value. Defaults are the safe ones: `HttpOnly`, `Secure`, `SameSite=Lax`, `Path=/`.
public struct SetCookie: Sendable {
    public enum SameSite: String, Sendable { case strict = "Strict", lax = "Lax", none = "None" }

    public var name: String
    public var value: String
    public var path: String? = "/"
    public var domain: String?
    public var maxAge: Int?
    public var secure = true
    public var httpOnly = true
    public var sameSite: SameSite? = .lax

    public init(name: String, value: String, maxAge: Int? = nil) {
        self.name = name
        self.value = value
        self.maxAge = maxAge
    }

    /// A cookie that tells the browser to forget `name`.
    public static func expired(name: String) -> SetCookie {
        SetCookie(name: name, value: "", maxAge: 0)
    }

    public var headerValue: String {
        var parts = ["\(name)=\(value)"]
        if let path { parts.append("Path=\(path)") }
        if let domain { parts.append("Domain=\(domain)") }
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if secure { parts.append("Secure") }
        if httpOnly { parts.append("HttpOnly") }
        if let sameSite { parts.append("SameSite=\(sameSite.rawValue)") }
        return parts.joined(separator: "; ")
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace), found on the
    /// UTF-8 bytes: walking Characters costs several times as much, and every API request
    /// trims its bearer token.
    package func trimmingSpaces() -> String {
        let bytes = utf8
        let start = bytes.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? bytes.endIndex
        let end = bytes.lastIndex { $0 != 0x20 && $0 != 0x09 }.map { bytes.index(after: $0) } ?? start
        return String(self[start..<end])
    }
}
