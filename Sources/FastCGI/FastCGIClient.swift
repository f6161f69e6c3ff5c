#if canImport(Glibc)
import Glibc
#endif

/// A small FastCGI client speaking the wire protocol directly, as nginx does: BEGIN_REQUEST,
/// PARAMS, STDIN, then STDOUT/STDERR records until END_REQUEST. `parley status` reads the status
/// page through it without nginx; the tests drive real sockets with it.
public final class FastCGIClient {
    public struct Response {
        public var stdout: [UInt8] { didSet { split() } }
        public var stderr: [UInt8]
        public var appStatus: UInt32
        public var protocolStatus: UInt8
        public private(set) var headText = ""
        public private(set) var body: [UInt8] = []

        init(stdout: [UInt8], stderr: [UInt8], appStatus: UInt32, protocolStatus: UInt8) {
            self.stdout = stdout
            self.stderr = stderr
            self.appStatus = appStatus
            self.protocolStatus = protocolStatus
            split()
        }

        private mutating func split() {
            let separator: [UInt8] = [13, 10, 13, 10]
            var index = 0
            var found: Int?
            stdout.withUnsafeBufferPointer { bytes in
                while index + 4 <= bytes.count {
                    if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { found = index; break }
                    index += 1
                }
            }
            _ = separator
            if let found {
                headText = String(decoding: stdout[..<found], as: UTF8.self)
                body = Array(stdout[(found + 4)...])
            } else {
                headText = String(decoding: stdout, as: UTF8.self)
                body = []
            }
        }

        /// The CGI `Status:` code (200 when absent).
        public var status: Int {
            guard let value = header("Status") else { return 200 }
            return Int(value.prefix(3)) ?? 0
        }


        public var bodyText: String { String(decoding: body, as: UTF8.self) }

        public func header(_ name: String) -> String? {
            for line in headText.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                if line[..<colon].lowercased() == name.lowercased() {
                    return String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
                }
            }
            return nil
        }
    }

    public struct ClientError: Error, CustomStringConvertible {
        public let description: String
    }

    public let fd: Int32

    /// Connects to a unix socket path.
    public init(unixPath: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: unixPath.utf8)
            buffer[unixPath.utf8.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        // A throwing init still runs deinit (which closes fd) once every property is set:
        // closing here too would close a descriptor some other thread has since been given.
        guard result == 0 else { throw ClientError(description: "connect \(unixPath): errno \(errno)") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Connects to a TCP address (IPv4 numeric).
    public init(host: String, port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw ClientError(description: "connect \(host):\(port): errno \(errno)") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    public func close() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// Typical params for `method uri` as nginx would send them.
    public static func params(method: String, uri: String, headers: [String: String] = [:], contentLength: Int? = nil) -> [(String, String)] {
        let query = uri.firstIndex(of: "?").map { String(uri[uri.index(after: $0)...]) } ?? ""
        var params: [(String, String)] = [
            ("REQUEST_METHOD", method), ("REQUEST_URI", uri), ("QUERY_STRING", query),
            ("SERVER_PROTOCOL", "HTTP/1.1"), ("REMOTE_ADDR", "127.0.0.1"), ("SERVER_NAME", "localhost"),
            ("HTTP_HOST", "localhost"),
        ]
        if let contentLength { params.append(("CONTENT_LENGTH", String(contentLength))) }
        for (name, value) in headers {
            let key = String(name.uppercased().map { $0 == "-" ? "_" : $0 })
            params.append((key == "CONTENT_TYPE" ? key : "HTTP_" + key, value))
        }
        return params
    }

    /// Sends a whole request and reads the whole response.
    public func send(method: String, uri: String, headers: [String: String] = [:], body: [UInt8] = [], keepConnection: Bool = true, requestID: UInt16 = 1) throws -> Response {
        try begin(requestID: requestID, keepConnection: keepConnection)
        try sendParams(FastCGIClient.params(method: method, uri: uri, headers: headers, contentLength: body.isEmpty ? nil : body.count), requestID: requestID)
        try sendStdin(body, requestID: requestID, end: true)
        return try readResponse(requestID: requestID)
    }

    public func begin(requestID: UInt16 = 1, keepConnection: Bool = true) throws {
        try writeRecord(type: 1, requestID: requestID, content: [0, 1, keepConnection ? 1 : 0, 0, 0, 0, 0, 0])
    }

    public func sendParams(_ params: [(String, String)], requestID: UInt16 = 1) throws {
        var content: [UInt8] = []
        for (name, value) in params {
            content += FastCGIClient.length(name.utf8.count) + FastCGIClient.length(value.utf8.count)
            content += Array(name.utf8) + Array(value.utf8)
        }
        var offset = 0
        while offset < content.count {
            let end = min(offset + 65535, content.count)
            try writeRecord(type: 4, requestID: requestID, content: Array(content[offset..<end]))
            offset = end
        }
        try writeRecord(type: 4, requestID: requestID, content: [])
    }

    /// Sends body bytes; `end` sends the empty STDIN record that closes the body.
    public func sendStdin(_ body: [UInt8], requestID: UInt16 = 1, end: Bool) throws {
        var offset = 0
        while offset < body.count {
            let stop = min(offset + 65535, body.count)
            try writeRecord(type: 5, requestID: requestID, content: Array(body[offset..<stop]))
            offset = stop
        }
        if end { try writeRecord(type: 5, requestID: requestID, content: []) }
    }

    public func readResponse(requestID: UInt16 = 1) throws -> Response {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        while true {
            let header = try readExactly(8)
            let type = header[1]
            let length = Int(header[4]) << 8 | Int(header[5])
            let padding = Int(header[6])
            let content = try readExactly(length)
            _ = try readExactly(padding)
            switch type {
            case 6: stdout += content
            case 7: stderr += content
            case 3:
                let appStatus = UInt32(content[0]) << 24 | UInt32(content[1]) << 16 | UInt32(content[2]) << 8 | UInt32(content[3])
                return Response(stdout: stdout, stderr: stderr, appStatus: appStatus, protocolStatus: content[4])
            default: continue
            }
        }
    }

    /// Reads up to `count` bytes of raw response (for tests that hang up part-way).
    public func readSome(_ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = read(fd, &buffer, count)
        guard got >= 0 else { throw ClientError(description: "read: errno \(errno)") }
        return Array(buffer[0..<got])
    }

    private func writeRecord(type: UInt8, requestID: UInt16, content: [UInt8]) throws {
        let padding = (8 - content.count % 8) % 8
        var record: [UInt8] = [1, type, UInt8(requestID >> 8), UInt8(requestID & 0xFF), UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0]
        record += content
        record += [UInt8](repeating: 0, count: padding)
        var offset = 0
        while offset < record.count {
            let written = record[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw ClientError(description: "write: errno \(errno)") }
            offset += written
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = buffer[offset...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard got > 0 else { throw ClientError(description: got == 0 ? "connection closed by server" : "read: errno \(errno)") }
            offset += got
        }
        return buffer
    }

    private static func length(_ value: Int) -> [UInt8] {
        value < 128 ? [UInt8(value)] : [UInt8(0x80 | (value >> 24) & 0x7F), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
