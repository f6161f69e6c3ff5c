#if canImport(Glibc)
import Glibc
#endif
/// An HTTP request as the application sees it, independent of how it arrived.
///
/// The target is parsed leniently at construction so that a malformed one still reaches the
/// middleware chain (and gets logged, with a request id); ``Application`` answers it with the
/// 400 stored in ``rejection`` before any route runs.
public struct Request: Sendable {
    public var method: HTTPMethod
    /// The percent-decoded path, e.g. `/api/users/me/`.
    public var path: String
    /// The request target as sent, path and query (`REQUEST_URI`).
    public var uri: String
    /// The raw query string, without `?`.
    public var rawQuery: String
    public var query: URLEncodedForm
    public var headers: HTTPHeaders
    public var cookies: Cookies
    public var body: [UInt8]
    /// The client address as the front end (nginx) reports it.
    public var remoteAddress: String?
    /// True when the front end says the client connection is TLS.
    public var isSecure: Bool
    public var id: String
    /// Values captured by the router from `:name` segments.
    public var parameters: [String: String] = [:]
    /// Why the request is refused before routing (a malformed target, a body over the limit).
    public private(set) var rejection: HTTPError?

    public init(
        method: HTTPMethod,
        uri: String,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        remoteAddress: String? = nil,
        isSecure: Bool = false
    ) {
        self.init(
            method: method, uri: uri, headers: headers, body: body, remoteAddress: remoteAddress, isSecure: isSecure,
            cookieHeader: headers.isEmpty ? nil : headers["Cookie"], requestIDHeader: headers["X-Request-Id"])
    }

    /// With `headers["Cookie"]` and `headers["X-Request-Id"]` already known (the FastCGI
    /// adapter notes them while it reads the params, sparing two scans of the headers).
    package init(
        method: HTTPMethod,
        uri: String,
        headers: HTTPHeaders,
        body: [UInt8] = [],
        remoteAddress: String?,
        isSecure: Bool,
        cookieHeader: String?,
        requestIDHeader: String?
    ) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.isSecure = isSecure
        self.cookies = Cookies(header: cookieHeader)
        self.id = RequestID.make(from: requestIDHeader)

        let target = uri.isEmpty ? "/" : uri[...]
        let rawPath: Substring
        // The `?` found in the bytes (the generic `firstIndex` over the UTF-8 view costs
        // several times as much).
        let questionOffset = target.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.baseAddress.flatMap { base in memchr(base, Int32(UInt8(ascii: "?")), bytes.count) }
                .map { UnsafeRawPointer(bytes.baseAddress!).distance(to: UnsafeRawPointer($0)) }
        } ?? target.utf8.firstIndex(of: UInt8(ascii: "?")).map { target.utf8.distance(from: target.utf8.startIndex, to: $0) }
        if let questionOffset {
            let question = target.utf8.index(target.utf8.startIndex, offsetBy: questionOffset)
            rawPath = target[..<question]
            rawQuery = String(target[target.index(after: question)...])
        } else {
            rawPath = target
            rawQuery = ""
        }
        do {
            path = try PercentDecoding.decode(rawPath, plusAsSpace: false)
            if path.withUTF8Bytes({ $0.contains(0) }) { throw PercentDecoding.Failure.invalidEscape }
        } catch {
            path = String(rawPath)
            rejection = HTTPError(.badRequest, "Malformed request path.")
        }
        do {
            query = rawQuery.isEmpty ? URLEncodedForm() : try URLEncodedForm(parsing: rawQuery[...])
        } catch {
            query = URLEncodedForm()
            if rejection == nil { rejection = error }
        }
    }

    /// Marks the request to be answered with `error` before any route runs, through the same
    /// middleware (logging, error rendering) as every other request.
    public mutating func reject(with error: HTTPError) {
        rejection = error
    }

    /// A path parameter captured by the router, e.g. `request.parameters["id"]`.
    public func parameter(_ name: String) -> String? { parameters[name] }

    /// The body as an `application/x-www-form-urlencoded` form (400 on malformed input).
    public func form() throws(HTTPError) -> URLEncodedForm {
        guard let text = String(validating: body, as: UTF8.self) else {
            throw HTTPError(.badRequest, "Malformed form body: not valid UTF-8.")
        }
        return try URLEncodedForm(parsing: text[...], what: "form body")
    }

    /// The media type of the body without parameters, lowercased (`application/json`).
    public var mediaType: String? {
        guard let value = headers["Content-Type"] else { return nil }
        let type = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces() } ?? ""
        return type.isEmpty ? nil : type.lowercased()
    }

    /// The scheme and host the client used, for absolute URLs (pagination links, redirects).
    public var baseURL: String {
        let host = headers["Host"] ?? "localhost"
        return (isSecure ? "https://" : "http://") + host
    }
}
