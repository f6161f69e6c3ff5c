/// Where `parley serve` listens for nginx.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// A unix socket path, created with the given mode and, optionally, group.
    case unix(path: String)
    /// A TCP address; loopback is expected (a warning is logged otherwise).
    case tcp(host: String, port: UInt16)
    /// A listening socket inherited from the parent (spawn-fcgi, systemd `StandardInput=socket`).
    case inherited(fd: Int32)

    /// Parses `unix:/path`, `/path` or `./path`, `HOST:PORT`, `fd:N` (or `stdin`).
    public init?(parsing text: String) {
        if text == "stdin" {
            self = .inherited(fd: 0)
        } else if text.hasPrefix("fd:"), let fd = Int32(text.dropFirst(3)), fd >= 0 {
            self = .inherited(fd: fd)
        } else if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { return nil }
            self = .unix(path: path)
        } else if text.hasPrefix("/") || text.hasPrefix(".") {
            self = .unix(path: text)
        } else if let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) {
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self = .tcp(host: host, port: port)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .inherited(let fd): "fd:\(fd)"
        }
    }
}
