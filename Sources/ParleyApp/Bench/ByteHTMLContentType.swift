import Mustache
import Synchronization

/// swift-mustache's HTML escaping with the same output (`& < > " '` as `&amp; &lt; &gt; &quot;
/// &#39;`), done on UTF-8 bytes. The built-in one looks every Character up in a dictionary:
/// half the CPU time of a /fortunes request (callgrind), ten times this one.
///
/// A template selects it with the pragma `{{% CONTENT_TYPE: HTML_BYTES }}` (the fortunes
/// template of `make bench` does; pages may too). ``TemplateLibrary`` registers it before it
/// parses anything, since the pragma is resolved when a template is parsed.
public struct ByteHTMLContentType: MustacheContentType {
    public static let name = "HTML_BYTES"
    private static let registered = Atomic<Bool>(false)

    /// Makes `HTML_BYTES` known to swift-mustache (once per process).
    public static func register() {
        guard registered.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        MustacheContentTypes.register(ByteHTMLContentType(), named: name)
    }

    public init() {}

    public func escapeText(_ text: String) -> String {
        var utf8 = text
        return utf8.withUTF8 { bytes in
            guard bytes.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
                return text
            }
            var escaped: [UInt8] = []
            escaped.reserveCapacity(bytes.count + 32)
            for byte in bytes {
                switch byte {
                case 0x26: escaped.append(contentsOf: "&amp;".utf8)
                case 0x3C: escaped.append(contentsOf: "&lt;".utf8)
                case 0x3E: escaped.append(contentsOf: "&gt;".utf8)
                case 0x22: escaped.append(contentsOf: "&quot;".utf8)
                case 0x27: escaped.append(contentsOf: "&#39;".utf8)
                default: escaped.append(byte)
                }
            }
            return String(decoding: escaped, as: UTF8.self)
        }
    }
}
