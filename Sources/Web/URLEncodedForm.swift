/// Name/value pairs from a query string or an `application/x-www-form-urlencoded` body.
/// Names may repeat (`?tag=a&tag=b`); `subscript` gives the first value, `values(for:)` all.
public struct URLEncodedForm: Sendable, Equatable {
    public private(set) var pairs: [(name: String, value: String)]

    public init(pairs: [(name: String, value: String)] = []) {
        self.pairs = pairs
    }

    /// Parses `a=1&b=two+words&c`. A bad `%` escape or bytes that are not UTF-8 throw a 400.
    public init(parsing string: Substring, what: String = "query string") throws(HTTPError) {
        var pairs: [(name: String, value: String)] = []
        for part in string.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = part.firstIndex(of: "=") {
                name = part[..<equals]
                value = part[part.index(after: equals)...]
            } else {
                name = part
                value = ""
            }
            do {
                pairs.append((
                    try PercentDecoding.decode(name, plusAsSpace: true),
                    try PercentDecoding.decode(value, plusAsSpace: true)
                ))
            } catch {
                throw HTTPError(.badRequest, "Malformed \(what): \(error == .invalidUTF8 ? "not valid UTF-8" : "invalid percent-encoding").")
            }
        }
        self.pairs = pairs
    }

    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    public func values(for name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public var isEmpty: Bool { pairs.isEmpty }

    public static func == (lhs: URLEncodedForm, rhs: URLEncodedForm) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Encodes pairs back into `a=1&b=two%20words` form (used for pagination links).
    public var encoded: String {
        pairs.map { "\(Self.escape($0.name))=\(Self.escape($0.value))" }.joined(separator: "&")
    }

    static func escape(_ string: String) -> String {
        var out = ""
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(Unicode.Scalar(hex[Int(byte >> 4)])) + String(Unicode.Scalar(hex[Int(byte & 15)]))
            }
        }
        return out
    }
}
