/// Cookies sent by the client (`Cookie:` header), parsed leniently as browsers send them.
public struct Cookies: Sendable {
    private var values: [String: String] = [:]

    /// Parsed on the UTF-8 bytes (cookie names and values are bytes, RFC 6265): splitting and
    /// trimming through Characters went mostly to run-time conformance checks (bench/README.md,
    /// "Pages and templates").
    public init(header: String?) {
        guard var header else { return }
        header.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: ";") { end += 1 }
                add(part: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                start = end + 1
            }
        }
    }

    private mutating func add(part: UnsafeBufferPointer<UInt8>) {
        guard let equals = part.firstIndex(of: UInt8(ascii: "=")) else { return }
        let name = Self.trimmed(UnsafeBufferPointer(rebasing: part[..<equals]))
        var value = Self.trimmed(UnsafeBufferPointer(rebasing: part[(equals + 1)...]))
        if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
            value = UnsafeBufferPointer(rebasing: value[1..<(value.count - 1)])
        }
        guard !name.isEmpty else { return }
        let key = String(decoding: name, as: UTF8.self)
        // The first occurrence wins, as in browsers' most-specific-path-first order.
        if values[key] == nil { values[key] = String(decoding: value, as: UTF8.self) }
    }

    /// Without leading and trailing spaces and tabs.
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
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
