/// A response body produced while it is sent (an export of a million rows), instead of held in
/// memory: the transport sends the head, then calls ``produce(into:)`` with a writer that passes
/// bytes on in chunks as they come. There is no `Content-Length`; FastCGI ends the body when
/// the producer returns. A stream dropped without being run (a HEAD request, an in-process
/// caller that only looks at the head) calls its `abandon` closure instead, so whatever the
/// handler set up for it (a lock) is released either way.
///
/// `@unchecked Sendable`: the closures capture the worker thread's database connection. They
/// are made by a handler and run (or dropped) by the transport on that same thread, before
/// the thread takes its next request, so they never cross threads.
public final class ResponseBodyStream: @unchecked Sendable {
    private let producer: (ResponseBodyWriter) throws -> Void
    private let abandon: (() -> Void)?
    private var started = false

    public init(abandon: (() -> Void)? = nil, _ produce: @escaping (ResponseBodyWriter) throws -> Void) {
        self.producer = produce
        self.abandon = abandon
    }

    /// Produces the body into `writer`; only the first call does anything.
    public func produce(into writer: ResponseBodyWriter) throws {
        guard !started else { return }
        started = true
        try producer(writer)
    }

    deinit {
        if !started { abandon?() }
    }
}

/// Collects bytes and hands them to the transport about every 32 KiB, or at ``flush()``.
/// A send that fails (the client hung up) throws ``ClientGone`` from then on, so a producer
/// looping over database rows stops, and its query with it.
public final class ResponseBodyWriter {
    /// The client is no longer reading: the transport's connection is closed.
    public struct ClientGone: Error, CustomStringConvertible {
        public var description: String { "the client closed the connection" }
    }

    private var buffer: [UInt8] = []
    private let send: ([UInt8]) -> Bool
    private var gone = false
    /// Bytes handed to the transport so far.
    public private(set) var bytesSent = 0
    static let chunkSize = 32 * 1024

    /// - Parameter send: passes bytes to the client now; false once it cannot.
    public init(send: @escaping ([UInt8]) -> Bool) {
        self.send = send
        buffer.reserveCapacity(Self.chunkSize + 4096)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if gone { throw ClientGone() }
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.chunkSize { try flush() }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Sends what is collected now.
    public func flush() throws {
        if gone { throw ClientGone() }
        guard !buffer.isEmpty else { return }
        guard send(buffer) else {
            gone = true
            throw ClientGone()
        }
        bytesSent += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}

extension Response {
    /// A response whose body is produced as it is sent (see ``ResponseBodyStream``).
    public static func streamed(
        status: HTTPStatus = .ok, headers: HTTPHeaders, abandon: (() -> Void)? = nil,
        _ produce: @escaping (ResponseBodyWriter) throws -> Void
    ) -> Response {
        var response = Response(status: status, headers: headers)
        response.bodyStream = ResponseBodyStream(abandon: abandon, produce)
        return response
    }

    /// Runs a streamed body into ``body`` (for in-process callers such as tests, which have no
    /// connection to stream to); a response with its body in memory is returned as it is.
    public func collectingStream() throws -> Response {
        guard let stream = bodyStream else { return self }
        var collected: [UInt8] = []
        let writer = ResponseBodyWriter { bytes in
            collected.append(contentsOf: bytes)
            return true
        }
        try stream.produce(into: writer)
        try writer.flush()
        var response = self
        response.body = collected
        response.bodyStream = nil
        return response
    }
}
