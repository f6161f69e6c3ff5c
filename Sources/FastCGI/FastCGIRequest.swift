#if canImport(Glibc)
import Glibc
#endif
import CFastCGI

/// The request a worker is serving, lent to the responder for the duration of `respond`.
///
/// Parameters are copied into Swift strings when the request is accepted (libfcgi frees its own
/// at the next accept). The body is read on demand, so a request over the size limit can be
/// refused without reading it into memory.
public struct FastCGIRequest {
    /// The FastCGI parameters nginx sent (`REQUEST_METHOD`, `REQUEST_URI`, `HTTP_*`…).
    public let params: [String: String]
    private let raw: UnsafeMutablePointer<FCGX_Request>

    init(_ raw: UnsafeMutablePointer<FCGX_Request>) {
        self.raw = raw
        var params: [String: String] = [:]
        if var cursor = raw.pointee.envp {
            while let entry = cursor.pointee {
                if let equals = strchr(entry, Int32(UInt8(ascii: "="))) {
                    let nameLength = entry.distance(to: equals)
                    let name = String(decoding: UnsafeRawBufferPointer(start: entry, count: nameLength), as: UTF8.self)
                    params[name] = String(cString: equals + 1)
                }
                cursor += 1
            }
        }
        self.params = params
    }

    /// `CONTENT_LENGTH` as a number, if nginx sent one.
    public var contentLength: Int? {
        params["CONTENT_LENGTH"].flatMap { Int($0) }
    }

    public enum BodyResult {
        case complete([UInt8])
        /// More than `limit` bytes arrived; what was read so far is discarded.
        case tooLarge
    }

    /// Reads the whole body, refusing (without buffering more) once it exceeds `limit` bytes.
    public func readBody(limit: Int) -> BodyResult {
        if let declared = contentLength, declared > limit { return .tooLarge }
        var body: [UInt8] = []
        if let declared = contentLength { body.reserveCapacity(declared) }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { FCGX_GetStr($0.baseAddress, Int32($0.count), raw.pointee.in) }
            }
            if count <= 0 { break }
            if body.count + Int(count) > limit { return .tooLarge }
            body.append(contentsOf: chunk[0..<Int(count)])
        }
        return .complete(body)
    }

    /// Reads and drops the body, up to `maximum` bytes; false if there was more (then the
    /// connection should be closed rather than reused).
    public func discardBody(maximum: Int) -> Bool {
        var chunk = [CChar](repeating: 0, count: 64 * 1024)
        var total = 0
        while total <= maximum {
            let count = chunk.withUnsafeMutableBufferPointer { FCGX_GetStr($0.baseAddress, Int32($0.count), raw.pointee.in) }
            if count <= 0 { return true }
            total += Int(count)
        }
        return false
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
