/// An HTTP request method. A struct rather than an enum so that methods the router does not
/// know (WebDAV, PURGE…) still arrive intact and can be answered with 405.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        // Methods arrive upper-case; only others are converted.
        self.rawValue = rawValue.utf8.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") } || !rawValue.utf8.allSatisfy { $0 < 0x80 }
            ? rawValue.uppercased() : rawValue
    }

    public var description: String { rawValue }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")
    public static let options = HTTPMethod(rawValue: "OPTIONS")
}
