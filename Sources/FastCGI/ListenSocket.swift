#if canImport(Glibc)
import Glibc
#endif
import CFastCGI

/// The listening socket: created for a unix path or TCP address, or adopted from fd 0.
/// Always non-blocking, so that a worker that loses the race for a connection gets EAGAIN
/// instead of blocking in `accept`.
public final class ListenSocket {
    public let fd: Int32
    public let address: ListenAddress
    /// The socket file this instance created, and its identity (device, inode) then.
    private let ownedFile: (path: String, device: UInt64, inode: UInt64)?
    private var closed = false

    public struct Options: Sendable {
        public var mode: UInt32 = 0o660
        public var group: String?
        public var backlog: Int32 = 1024

        public init(mode: UInt32 = 0o660, group: String? = nil, backlog: Int32 = 1024) {
            self.mode = mode
            self.group = group
            self.backlog = backlog
        }
    }

    public init(address: ListenAddress, options: Options) throws(FastCGIError) {
        self.address = address
        switch address {
        case .unix(let path):
            fd = try ListenSocket.makeUnix(path: path, options: options)
            var info = stat()
            ownedFile = lstat(path, &info) == 0 ? (path, UInt64(info.st_dev), UInt64(info.st_ino)) : nil
        case .tcp(let host, let port):
            fd = try ListenSocket.makeTCP(host: host, port: port, backlog: options.backlog)
            ownedFile = nil
        case .inherited(let inherited):
            try ListenSocket.adopt(inherited)
            fd = inherited
            ownedFile = nil
        }
    }

    /// Stops listening. A path we created is removed, unless it is no longer our socket file:
    /// when the path was removed behind our back and a newer instance listens there now,
    /// removing it would cut that instance off. An inherited socket is closed in this process
    /// only, never `shutdown()` (that would break it for the next instance).
    public func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(fd)
        guard let ownedFile else { return }
        var info = stat()
        if lstat(ownedFile.path, &info) == 0, UInt64(info.st_dev) == ownedFile.device, UInt64(info.st_ino) == ownedFile.inode {
            unlink(ownedFile.path)
        }
    }

    deinit { close() }

    private static func makeUnix(path: String, options: Options) throws(FastCGIError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            throw FastCGIError("listen on \(path)", detail: "socket path longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8)
            buffer[path.utf8.count] = 0
        }
        try removeStaleSocket(path: path, address: address)

        let fd = try systemCall("socket(AF_UNIX)") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | parley_sock_nonblock_cloexec(), 0) }
        do throws(FastCGIError) {
            // Create the socket file without group-other access, then widen to the configured
            // mode: the socket is never world-writable, not even for an instant.
            let previous = umask(0o177)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            let bindErrno = Glibc.errno
            umask(previous)
            if bound != 0 { throw FastCGIError("bind \(path)", errno: bindErrno) }
            if let group = options.group {
                guard let entry = getgrnam(group) else { throw FastCGIError("socket group", detail: "no group named \(group)") }
                try systemCall("chown \(path) to group \(group)") { chown(path, uid_t.max, entry.pointee.gr_gid) }
            }
            try systemCall("chmod \(path)") { chmod(path, mode_t(options.mode & 0o777)) }
            try systemCall("listen \(path)") { listen(fd, options.backlog) }
            return fd
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// A socket file left by a crashed instance is removed; one that still accepts connections
    /// belongs to a running instance and is left alone (an error, not a silent takeover).
    private static func removeStaleSocket(path: String, address: sockaddr_un) throws(FastCGIError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw FastCGIError("listen on \(path)", detail: "the path exists and is not a socket")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { return }
        defer { Glibc.close(probe) }
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if connected == 0 {
            throw FastCGIError("listen on \(path)", detail: "another process is already listening there")
        }
        unlink(path)
    }

    private static func makeTCP(host: String, port: UInt16, backlog: Int32) throws(FastCGIError) -> Int32 {
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
        } else if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
        } else if host == "localhost" {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            v4.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        } else {
            throw FastCGIError("listen on \(host):\(port)", detail: "not a numeric IPv4 or IPv6 address")
        }
        let fd = try systemCall("socket") { socket(family, Int32(SOCK_STREAM.rawValue) | parley_sock_nonblock_cloexec(), 0) }
        do throws(FastCGIError) {
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            let bound: Int32 = family == AF_INET
                ? withUnsafePointer(to: &v4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
                : withUnsafePointer(to: &v6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            if bound != 0 { throw FastCGIError("bind \(host):\(port)", errno: Glibc.errno) }
            try systemCall("listen \(host):\(port)") { listen(fd, backlog) }
            return fd
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Checks that `fd` is a listening socket, then makes it non-blocking and close-on-exec.
    private static func adopt(_ fd: Int32) throws(FastCGIError) {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting == 1 else {
            throw FastCGIError("listen on fd:\(fd)", detail: "file descriptor \(fd) is not a listening socket (start parley from spawn-fcgi or a systemd socket unit, or pass --listen)")
        }
        let flags = fcntl(fd, F_GETFL)
        try systemCall("fcntl(O_NONBLOCK)") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
        try systemCall("fcntl(FD_CLOEXEC)") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }

    /// True when fd 0 is a listening socket, as under spawn-fcgi or systemd socket activation.
    static func standardInputIsListeningSocket() -> Bool {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting == 1
    }
}
