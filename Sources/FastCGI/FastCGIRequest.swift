#if canImport(Glibc)
import Glibc
#endif
import CFastCGI

/// The request a worker is serving, lent to the responder for the duration of `respond`.
///
/// Parameters are read in place from libfcgi's environment (valid until the request is
/// finished, which is after `respond` returns): ``forEachParam(_:)`` and ``param(_:)`` copy
/// nothing they are not asked for; ``params`` copies them all into a dictionary. The body is
/// read on demand, so a request over the size limit can be refused without reading it into
/// memory.
public struct FastCGIRequest {
    private let raw: UnsafeMutablePointer<FCGX_Request>

    init(_ raw: UnsafeMutablePointer<FCGX_Request>) {
        self.raw = raw
    }

    /// The FastCGI parameters nginx sent (`REQUEST_METHOD`, `REQUEST_URI`, `HTTP_*`…), copied
    /// into a dictionary. The request path uses ``forEachParam(_:)`` instead.
    public var params: [String: String] {
        var params: [String: String] = [:]
        forEachParam { name, value in
            params[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        return params
    }

    /// Calls `body` with each parameter's name and value bytes, in the order nginx sent them.
    /// The buffers are only valid during the call.
    public func forEachParam(_ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        guard var cursor = raw.pointee.envp else { return }
        while let entry = cursor.pointee {
            let bytes = UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self)
            let length = strlen(entry)
            if let equals = memchr(entry, Int32(UInt8(ascii: "=")), length) {
                let nameLength = UnsafeRawPointer(entry).distance(to: UnsafeRawPointer(equals))
                try body(
                    UnsafeBufferPointer(start: bytes, count: nameLength),
                    UnsafeBufferPointer(start: bytes + nameLength + 1, count: length - nameLength - 1))
            }
            cursor += 1
        }
    }

    /// One parameter's value, if nginx sent it.
    public func param(_ name: String) -> String? {
        guard let value = FCGX_GetParam(name, raw.pointee.envp) else { return nil }
        return String(cString: value)
    }

    /// `CONTENT_LENGTH` as a number, if nginx sent one.
    public var contentLength: Int? {
        param("CONTENT_LENGTH").flatMap { Int($0) }
    }

    public enum BodyResult {
        case complete([UInt8])
        /// More than `limit` bytes arrived; what was read so far is discarded.
        case tooLarge
        /// The body ended before its `CONTENT_LENGTH`, or the read failed (the peer stalled past
        /// the I/O timeout, or closed): not a complete body.
        case incomplete
    }

    /// True once a read or write on this request's connection failed; the connection is then
    /// closed rather than kept for another request.
    public var failed: Bool {
        parley_fcgx_stream_error(raw.pointee.in) != 0 || parley_fcgx_stream_error(raw.pointee.out) != 0
    }


    /// Reads the whole body, refusing (without buffering more) once it exceeds `limit` bytes.
    public func readBody(limit: Int) -> BodyResult {
        readBody(limit: limit, declaredLength: contentLength)
    }

    /// ``readBody(limit:)`` with `CONTENT_LENGTH` already read by the caller (as a number; nil
    /// when absent or not a number), which spares looking it up in the params again.
    public func readBody(limit: Int, declaredLength declared: Int?) -> BodyResult {
        if let declared, declared > limit { return .tooLarge }
        var body: [UInt8] = []
        // Reserve what is declared, up to 1 MiB: a client states what it likes, memory is taken as bytes arrive.
        if let declared, declared > 0 { body.reserveCapacity(min(declared, 1 << 20)) }
        // The first read goes through a small buffer on the stack: a GET costs one call that
        // finds the end of the stream, and no allocation (a 16 KiB temporary allocation is
        // too large for the stack and went to malloc). A body continues in 16 KiB chunks.
        let first = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { chunk -> Int32 in
            let count = FCGX_GetStr(chunk.baseAddress, Int32(chunk.count), raw.pointee.in)
            if count > 0, Int(count) <= limit {
                UnsafeRawBufferPointer(start: chunk.baseAddress, count: Int(count)).withMemoryRebound(to: UInt8.self) {
                    body.append(contentsOf: $0)
                }
            }
            return count
        }
        if first <= 0 { return finished(body, declared) }
        if Int(first) > limit { return .tooLarge }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 16 * 1024) { chunk in
            while true {
                let count = FCGX_GetStr(chunk.baseAddress, Int32(chunk.count), raw.pointee.in)
                if count <= 0 { break }
                if body.count + Int(count) > limit { return .tooLarge }
                UnsafeRawBufferPointer(start: chunk.baseAddress, count: Int(count)).withMemoryRebound(to: UInt8.self) {
                    body.append(contentsOf: $0)
                }
            }
            return finished(body, declared)
        }
    }

    /// The body read to its end: complete only if no read failed and it is as long as declared.
    private func finished(_ body: [UInt8], _ declared: Int?) -> BodyResult {
        if parley_fcgx_stream_error(raw.pointee.in) != 0 { return .incomplete }
        if let declared, body.count < declared { return .incomplete }
        return .complete(body)
    }

    /// Reads and drops the body, up to `maximum` bytes; false if there was more (then the
    /// connection should be closed rather than reused).
    public func discardBody(maximum: Int) -> Bool {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64 * 1024) { chunk in
            var total = 0
            while total <= maximum {
                let count = FCGX_GetStr(chunk.baseAddress, Int32(chunk.count), raw.pointee.in)
                if count <= 0 { return true }
                total += Int(count)
            }
            return false
        }
    }

    /// Writes response bytes (CGI-style: `Status:` and header lines, a blank line, the body).
    /// Returns false when the client connection is gone; the caller may stop writing.
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        var offset = 0
        while offset < bytes.count {
            let length = min(bytes.count - offset, Int(Int32.max))
            let written = FCGX_PutStr(base.assumingMemoryBound(to: CChar.self) + offset, Int32(length), raw.pointee.out)
            if written < 0 { return false }
            offset += length
        }
        return true
    }

    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Sends a whole response, `head` then `body`, and ends the request, in one `write`: through
    /// libfcgi's 8 KiB stream buffer a response past it took a write per 8 KiB, and nginx a
    /// wake-up and a read for each (bench/README.md, "One write per response"). Must be the
    /// request's only output; libfcgi then writes nothing more for it. Returns false when the
    /// connection failed, which is then closed rather than kept.
    @discardableResult
    public func writeResponse(_ head: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) -> Bool {
        let length = ResponseRecords.byteCount(contentLength: head.count + body.count)
        let sent = withUnsafeTemporaryAllocation(byteCount: length, alignment: 8) { buffer -> Bool in
            let framed = ResponseRecords.write(requestID: Int(raw.pointee.requestId), head, body, to: buffer.baseAddress!)
            return Self.writeAll(parley_fcgx_ipc_fd(raw), UnsafeRawBufferPointer(rebasing: buffer[..<framed]))
        }
        parley_fcgx_out_written(raw, sent ? 0 : (errno == 0 ? EIO : errno))
        return sent
    }

    /// `write` until everything is sent (the socket's send timeout bounds each call).
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// Asks for the connection to be closed after this response instead of kept for the next
    /// request (used when an unread body is left on it).
    public func closeConnectionAfterResponse() {
        parley_fcgx_set_keep_connection(raw, 0)
    }

    /// Sends what is buffered now (libfcgi buffers 8 KiB).
    @discardableResult
    public func flush() -> Bool {
        FCGX_FFlush(raw.pointee.out) == 0
    }
}

@available(*, unavailable)
extension FastCGIRequest: Sendable {}
