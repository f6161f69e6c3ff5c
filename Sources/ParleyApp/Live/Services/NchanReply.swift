/// One HTTP/1.1 response from nginx's publisher server, framed by its `Content-Length` (nginx
/// sends one on every reply of that server: Nchan's channel info and its own error pages).
struct NchanReply: Equatable {
    var status: Int
    var body: [UInt8]
    /// nginx ends the connection after this reply (`Connection: close`: its
    /// `keepalive_requests` was reached, or it is shutting down); requests sent after it on the
    /// same connection were not read.
    var closesConnection: Bool

    /// Replies are small (Nchan's channel info is about 100 bytes); anything claiming more is
    /// not the publisher server.
    static let maxBodyBytes = 1 << 20
    static let maxHeadBytes = 16 * 1024

    /// The reply that starts at `bytes[start]`, and the index just past it; nil while its head
    /// or body has not fully arrived. Throws when the bytes are not such a reply.
    static func parse(_ bytes: [UInt8], from start: Int) throws(NchanClient.Failure) -> (reply: NchanReply, end: Int)? {
        guard let headEnd = headEnd(bytes, from: start) else {
            if bytes.count - start > maxHeadBytes { throw NchanClient.Failure(description: "reply head from nginx too long") }
            return nil
        }
        var lines = HeadLines(bytes: bytes, position: start, end: headEnd)
        guard let statusLine = lines.next(), let status = statusCode(bytes[statusLine]) else {
            throw NchanClient.Failure(description: "no HTTP status line from nginx")
        }
        var length: Int?
        var closes = false
        while let line = lines.next() {
            let field = bytes[line]
            guard let colon = field.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = field[..<colon]
            let value = trimmed(field[(colon + 1)...])
            if equalsIgnoringCase(name, "content-length") {
                guard let number = decimal(value), number <= maxBodyBytes else {
                    throw NchanClient.Failure(description: "reply from nginx with a bad Content-Length")
                }
                length = number
            } else if equalsIgnoringCase(name, "connection") {
                closes = equalsIgnoringCase(value, "close")
            } else if equalsIgnoringCase(name, "transfer-encoding") {
                throw NchanClient.Failure(description: "chunked reply from nginx")
            }
        }
        guard let length else { throw NchanClient.Failure(description: "reply from nginx without Content-Length") }
        let bodyStart = headEnd + 4
        guard bytes.count - bodyStart >= length else { return nil }
        return (NchanReply(status: status, body: Array(bytes[bodyStart..<(bodyStart + length)]), closesConnection: closes), bodyStart + length)
    }

    /// The index of the `\r\n\r\n` that ends the head.
    private static func headEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 3 < bytes.count {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }

    /// "HTTP/1.1 201 Created" → 201.
    private static func statusCode(_ line: ArraySlice<UInt8>) -> Int? {
        guard line.starts(with: "HTTP/1.".utf8), let space = line.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        let digits = line[(space + 1)...].prefix { $0 != UInt8(ascii: " ") }
        guard digits.count == 3, let code = decimal(digits), code >= 100 else { return nil }
        return code
    }

    /// Digits only, at most 9 of them (so no arithmetic can overflow).
    private static func decimal(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 32 || first == 9 { slice = slice.dropFirst() }
        while let last = slice.last, last == 32 || last == 9 { slice = slice.dropLast() }
        return slice
    }

    /// ASCII case-insensitive comparison with a lowercase constant, without building a String
    /// per header (three replies a post).
    private static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        var index = 0
        for byte in bytes {
            let folded = byte >= 65 && byte <= 90 ? byte + 32 : byte
            guard folded == lowercase.utf8Start[index] else { return false }
            index += 1
        }
        return true
    }

    /// The CRLF-separated lines of a head, as index ranges.
    private struct HeadLines {
        let bytes: [UInt8]
        var position: Int
        let end: Int

        mutating func next() -> Range<Int>? {
            guard position < end else { return nil }
            var index = position
            while index < end, !(bytes[index] == 13 && index + 1 < bytes.count && bytes[index + 1] == 10) { index += 1 }
            defer { position = index + 2 }
            return position..<index
        }
    }
}
