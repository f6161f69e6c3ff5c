#if canImport(Glibc)
import Glibc
#endif
import FastCGI
import Logging
import Web

/// The adapter between the two worlds: turns a FastCGI request into a ``Web/Request``, runs the
/// application, and writes the ``Web/Response`` back as CGI-style output. One per worker thread.
public final class WebResponder<Context: RequestContext>: FastCGIResponder {
    let application: Application<Context>
    /// `application.respond`, bound once: calling it through the generic struct asked the
    /// runtime for `Application<Context>`'s metadata on every request.
    private let respondToRequest: (Request, Context) -> Response
    let maxBodySize: Int
    let makeContext: (Request) -> Context
    /// The response head is built here, reused from request to request (one per worker thread).
    private var headBuffer = ByteBuffer(capacity: 512)
    /// This thread's scoreboard slot (what it serves, the metrics) and the status page, when
    /// run under a master.
    let slot: WorkerSlot?
    let status: StatusReport?

    /// - Parameters:
    ///   - maxBodySize: bodies larger than this get 413 without being read into memory.
    ///   - makeContext: builds the per-request context on the worker thread (it may capture the
    ///     worker's own state, such as its database connection).
    public init(
        application: Application<Context>, maxBodySize: Int, slot: WorkerSlot? = nil, status: StatusReport? = nil,
        makeContext: @escaping (Request) -> Context
    ) {
        self.slot = slot
        self.status = status
        self.application = application
        self.respondToRequest = { request, context in application.respond(to: request, context: context) }
        self.maxBodySize = maxBodySize
        self.makeContext = makeContext
    }

    deinit {
        headBuffer.deallocate()
    }

    public func respond(to fastCGIRequest: FastCGIRequest) {
        // The request's fields in one pass over libfcgi's params, in the order nginx sent them
        // (so repeated and ordered headers keep their order), copying only what is used.
        var fields = CGIFields()
        fastCGIRequest.forEachParam { name, value in fields.add(name: name, value: value) }
        var request = fields.request()
        var bodyLeftUnread = false
        // CONTENT_LENGTH as the params pass gathered it (not looked up again in libfcgi's list).
        switch fastCGIRequest.readBody(limit: maxBodySize, declaredLength: fields.declaredLength) {
        case .complete(let body):
            request.body = body
        case .tooLarge:
            request.reject(with: HTTPError(.contentTooLarge, "Request body too large (limit \(maxBodySize) bytes)."))
            bodyLeftUnread = true
        case .incomplete:
            request.reject(with: HTTPError(.badRequest, "Request body is shorter than its Content-Length."))
            fastCGIRequest.closeConnectionAfterResponse()
        }
        let response: Response
        if let slot {
            response = respondWatched(request, slot: slot)
        } else {
            response = respondToRequest(request, makeContext(request))
        }
        headBuffer.removeAll()
        WebResponder.appendHead(of: response, to: &headBuffer)
        if let stream = response.bodyStream {
            fastCGIRequest.write(headBuffer.bytes)
            Self.stream(stream, to: fastCGIRequest)
        } else if bodyLeftUnread {
            // The request ends (FCGI_END_REQUEST) only after the rest of its body is drained
            // below, so nginx is done sending before the connection serves another request.
            fastCGIRequest.write(headBuffer.bytes)
            fastCGIRequest.write(response.body)
        } else {
            _ = response.body.withUnsafeBytes { fastCGIRequest.writeResponse(headBuffer.bytes, $0) }
        }
        if bodyLeftUnread {
            // Drop the rest of the body so the connection stays in step; past a bound, close it.
            fastCGIRequest.flush()
            if !fastCGIRequest.discardBody(maximum: maxBodySize.multipliedReportingOverflow(by: 4).overflow ? Int.max : 4 * maxBodySize) {
                fastCGIRequest.closeConnectionAfterResponse()
            }
        }
    }

    /// Sends a streamed body chunk by chunk as it is produced, the head first, so the client has
    /// the first bytes before the producer's query finishes. When the producer fails (the
    /// client hung up, or its database did) the connection is closed rather than kept: nginx
    /// then sees the body end early instead of a complete response.
    static func stream(_ stream: ResponseBodyStream, to request: FastCGIRequest) {
        guard request.flush() else {
            request.closeConnectionAfterResponse()
            return
        }
        let writer = ResponseBodyWriter { bytes in request.write(bytes) && request.flush() }
        do {
            try stream.produce(into: writer)
            try writer.flush()
        } catch {
            request.closeConnectionAfterResponse()
        }
    }

    /// Under a master: notes the request in the slot, answers `/status` and `/ping` (PHP-FPM's
    /// status and ping paths), turns a request that passed its deadline into a 503, and counts
    /// the response in the metrics.
    private func respondWatched(_ request: Request, slot: WorkerSlot) -> Response {
        var method = request.method.rawValue
        var path = request.path
        var id = request.id
        method.withUTF8 { method in path.withUTF8 { path in id.withUTF8 { slot.describe(method: method, path: path, requestID: $0) } } }
        slot.setPhase(.running)
        if let status, let answer = Self.operationsResponse(request, status: status) {
            return answer
        }
        let context = makeContext(request)
        var response = respondToRequest(request, context)
        if slot.currentRequestTimedOut {
            response = Self.timedOut(request, json: application.errorRendering.wantsJSON(request))
        }
        let now = monotonicNanoseconds()
        let started = slot.startedNanoseconds
        let methodIndex = method.withUTF8 { Scoreboard.methodIndex($0) }
        slot.processEntry.board.record(route: context.route, method: methodIndex, status: response.status.code,
                                       durationNanoseconds: now > started ? now - started : 0)
        return response
    }

    static func operationsResponse(_ request: Request, status: StatusReport) -> Response? {
        switch request.path {
        case "/ping":
            return Response(
                status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Request-Id": request.id],
                body: Array("pong\n".utf8))
        case "/status":
            let query = request.uri.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            let options = StatusReport.options(query: query)
            return Response(
                status: .ok,
                headers: ["Content-Type": StatusReport.contentType(options.format), "Cache-Control": "no-store", "X-Request-Id": request.id],
                body: Array(status.render(options.format, full: options.full).utf8))
        default:
            return nil
        }
    }

    /// The request ran past `--request-timeout` (its statement was cancelled): whatever the app
    /// made of that, the client is told to retry, in JSON where the app's errors are JSON.
    static func timedOut(_ request: Request, json: Bool) -> Response {
        Response(
            status: .serviceUnavailable,
            headers: [
                "Content-Type": json ? "application/json" : "text/plain; charset=utf-8", "Retry-After": "1",
                "X-Request-Id": request.id, "Cache-Control": "no-store",
            ],
            body: Array((json ? "{\"detail\":\"The request took too long and was stopped. Try again.\"}" : "The request took too long and was stopped. Try again.\n").utf8))
    }

    /// Builds the request from CGI/FastCGI parameters as nginx sends them (headers in name
    /// order, since a dictionary has none).
    static func makeRequest(from params: [String: String]) -> Request {
        var fields = CGIFields()
        for (name, value) in params.sorted(by: { $0.key < $1.key }) {
            var name = name
            var value = value
            name.withUTF8 { name in value.withUTF8 { value in fields.add(name: name, value: value) } }
        }
        return fields.request()
    }

    /// `USER_AGENT` → `User-Agent`.
    static func headerName(fromParam param: Substring) -> String {
        var param = param
        return param.withUTF8 { CGIFields.headerName(fromParam: $0) }
    }

    /// The CGI response head: `Status:` line, headers, `Content-Length`, blank line.
    static func head(of response: Response) -> [UInt8] {
        var head = ByteBuffer(capacity: 256)
        defer { head.deallocate() }
        appendHead(of: response, to: &head)
        return head.array
    }

    static func appendHead(of response: Response, to head: inout ByteBuffer) {
        head.appendLiteral("Status: ")
        appendDecimal(response.status.code, to: &head)
        head.append(UInt8(ascii: " "))
        head.appendUTF8(response.status.reasonPhrase)
        head.appendLiteral("\r\n")
        var hasLength = false
        for field in response.headers {
            if !hasLength, field.name.caseInsensitiveEquals("Content-Length") { hasLength = true }
            head.appendUTF8(field.name)
            head.appendLiteral(": ")
            head.appendUTF8(field.value)
            head.appendLiteral("\r\n")
        }
        if !hasLength, response.bodyStream == nil, response.status.code != 304, response.status.code != 204 {
            head.appendLiteral("Content-Length: ")
            appendDecimal(response.body.count, to: &head)
            head.appendLiteral("\r\n")
        }
        head.appendLiteral("\r\n")
    }

    static func appendDecimal(_ value: Int, to bytes: inout ByteBuffer) {
        guard value > 0 else {
            if value == 0 { bytes.append(UInt8(ascii: "0")) } else { bytes.appendUTF8(String(value)) }
            return
        }
        bytes.appendDecimal(value)
    }
}

/// The parameters a ``Request`` is made of, gathered in one pass over nginx's params.
struct CGIFields {
    var headers: HTTPHeaders
    var method: HTTPMethod?
    var requestURI: String?
    var scriptName: String?
    var pathInfo: String?
    var queryString: String?
    var remoteAddress: String?
    /// `HTTPS` is `on` (in any case): the client's connection to nginx is TLS.
    var isSecure = false
    var contentType: String?
    var contentLength: String?
    /// The first `Cookie` and `X-Request-Id` header values, noted as they arrive (what
    /// `headers[name]` would find), unless a header had line breaks stripped (then looked up).
    var cookieHeader: String?
    var requestIDHeader: String?
    var notedHeadersValid = true

    init() {
        headers = HTTPHeaders()
        // nginx sends a handful of headers (Host, X-Request-Id, the client's few): room for
        // them up front instead of growing the array 1, 2, 4, 8.
        headers.reserveCapacity(8)
    }

    /// `CONTENT_LENGTH` as a number (nil when absent, empty or not a number).
    var declaredLength: Int? { contentLength.flatMap { Int($0) } }

    mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        if name.count > 5, name[0] == UInt8(ascii: "H"), name[1] == UInt8(ascii: "T"), name[2] == UInt8(ascii: "T"),
           name[3] == UInt8(ascii: "P"), name[4] == UInt8(ascii: "_")
        {
            let param = UnsafeBufferPointer(rebasing: name[5...])
            let known = Self.knownHeaderName(param)
            let headerName = known ?? Self.headerName(fromParam: param)
            if Self.hasLineBreak(name) || Self.hasLineBreak(value) {
                headers.add(name: headerName, value: String(decoding: value, as: UTF8.self))  // strips them
                notedHeadersValid = false
                return
            }
            let headerValue = String(decoding: value, as: UTF8.self)
            headers.appendChecked(name: headerName, value: headerValue)
            // Known names were matched on the exact param (COOKIE, X_REQUEST_ID); others, in
            // any case, compare as `headers[name]` does.
            let isCookie = known != nil ? (param.count == 6 && Self.equals(param, "COOKIE")) : headerName.caseInsensitiveEquals("Cookie")
            if isCookie {
                if cookieHeader == nil { cookieHeader = headerValue }
                return
            }
            let isRequestID = known != nil
                ? (param.count == 12 && Self.equals(param, "X_REQUEST_ID")) : headerName.caseInsensitiveEquals("X-Request-Id")
            if isRequestID, requestIDHeader == nil { requestIDHeader = headerValue }
            return
        }
        func string() -> String { String(decoding: value, as: UTF8.self) }
        switch name.count {
        case 5 where Self.equals(name, "HTTPS"): isSecure = value.count == 2 && value[0] | 0x20 == UInt8(ascii: "o") && value[1] | 0x20 == UInt8(ascii: "n")
        case 9 where Self.equals(name, "PATH_INFO"): pathInfo = string()
        case 11 where Self.equals(name, "REQUEST_URI"): requestURI = string()
        case 11 where Self.equals(name, "REMOTE_ADDR"): remoteAddress = string()
        case 11 where Self.equals(name, "SCRIPT_NAME"): scriptName = string()
        case 12 where Self.equals(name, "QUERY_STRING"): queryString = string()
        case 12 where Self.equals(name, "CONTENT_TYPE"): contentType = string()
        case 14 where Self.equals(name, "REQUEST_METHOD"): method = Self.method(value)
        case 14 where Self.equals(name, "CONTENT_LENGTH"): contentLength = string()
        default: break
        }
    }

    /// The common methods as the shared constants; others through `HTTPMethod(rawValue:)`.
    static func method(_ value: UnsafeBufferPointer<UInt8>) -> HTTPMethod {
        switch value.count {
        case 3 where equals(value, "GET"): .get
        case 4 where equals(value, "POST"): .post
        case 4 where equals(value, "HEAD"): .head
        default: HTTPMethod(rawValue: String(decoding: value, as: UTF8.self))
        }
    }

    static func hasLineBreak(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return false }
        return memchr(base, 10, bytes.count) != nil || memchr(base, 13, bytes.count) != nil
    }

    /// The params of common headers, with their names as constants (no string built):
    /// exactly what ``headerName(fromParam:)`` makes of them.
    static func knownHeaderName(_ param: UnsafeBufferPointer<UInt8>) -> String? {
        switch param.count {
        case 4 where equals(param, "HOST"): "Host"
        case 5 where equals(param, "PROXY"): "Proxy"
        case 6 where equals(param, "ACCEPT"): "Accept"
        case 6 where equals(param, "COOKIE"): "Cookie"
        case 6 where equals(param, "ORIGIN"): "Origin"
        case 7 where equals(param, "REFERER"): "Referer"
        case 10 where equals(param, "USER_AGENT"): "User-Agent"
        case 10 where equals(param, "CONNECTION"): "Connection"
        case 12 where equals(param, "X_REQUEST_ID"): "X-Request-Id"
        case 12 where equals(param, "CONTENT_TYPE"): "Content-Type"
        case 13 where equals(param, "AUTHORIZATION"): "Authorization"
        case 13 where equals(param, "IF_NONE_MATCH"): "If-None-Match"
        case 14 where equals(param, "CONTENT_LENGTH"): "Content-Length"
        case 15 where equals(param, "ACCEPT_ENCODING"): "Accept-Encoding"
        case 15 where equals(param, "ACCEPT_LANGUAGE"): "Accept-Language"
        case 15 where equals(param, "X_FORWARDED_FOR"): "X-Forwarded-For"
        default: nil
        }
    }

    /// `USER_AGENT` → `User-Agent`.
    static func headerName(fromParam param: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: param.count) { output in
            var startOfWord = true
            for (index, byte) in param.enumerated() {
                if byte == UInt8(ascii: "_") {
                    output[index] = UInt8(ascii: "-")
                    startOfWord = true
                } else if startOfWord {
                    output[index] = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) ? byte - 32 : byte
                    startOfWord = false
                } else {
                    output[index] = (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte + 32 : byte
                }
            }
            return param.count
        }
    }

    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        bytes.count == name.utf8CodeUnitCount && memcmp(bytes.baseAddress!, name.utf8Start, bytes.count) == 0
    }

    func request() -> Request {
        var headers = self.headers
        if let contentType, !contentType.isEmpty { headers["Content-Type"] = contentType }
        if let contentLength, !contentLength.isEmpty { headers["Content-Length"] = contentLength }
        let uri: String
        if let requestURI, !requestURI.isEmpty {
            uri = requestURI
        } else {
            let path = (scriptName ?? "") + (pathInfo ?? "")
            let query = queryString ?? ""
            uri = (path.isEmpty ? "/" : path) + (query.isEmpty ? "" : "?" + query)
        }
        guard notedHeadersValid else {
            return Request(method: method ?? .get, uri: uri, headers: headers, remoteAddress: remoteAddress, isSecure: isSecure)
        }
        return Request(
            method: method ?? .get, uri: uri, headers: headers, remoteAddress: remoteAddress, isSecure: isSecure,
            cookieHeader: cookieHeader, requestIDHeader: requestIDHeader)
    }
}

