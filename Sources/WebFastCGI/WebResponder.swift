import FastCGI
import Logging
import Web

/// The adapter between the two worlds: turns a FastCGI request into a ``Web/Request``, runs the
/// application, and writes the ``Web/Response`` back as CGI-style output. One per worker thread.
public final class WebResponder<Context: RequestContext>: FastCGIResponder {
    let application: Application<Context>
    let maxBodySize: Int
    let makeContext: (Request) -> Context

    /// - Parameters:
    ///   - maxBodySize: bodies larger than this get 413 without being read into memory.
    ///   - makeContext: builds the per-request context on the worker thread (it may capture the
    ///     worker's own state, such as its database connection).
    public init(application: Application<Context>, maxBodySize: Int, makeContext: @escaping (Request) -> Context) {
        self.application = application
        self.maxBodySize = maxBodySize
        self.makeContext = makeContext
    }

    public func respond(to fastCGIRequest: FastCGIRequest) {
        var request = WebResponder.makeRequest(from: fastCGIRequest.params)
        var bodyLeftUnread = false
        switch fastCGIRequest.readBody(limit: maxBodySize) {
        case .complete(let body):
            request.body = body
        case .tooLarge:
            request.reject(with: HTTPError(.contentTooLarge, "Request body too large (limit \(maxBodySize) bytes)."))
            bodyLeftUnread = true
        }
        let response = application.respond(to: request, context: makeContext(request))
        fastCGIRequest.write(WebResponder.head(of: response))
        fastCGIRequest.write(response.body)
        if bodyLeftUnread {
            // Drop the rest of the body so the connection stays in step; past a bound, close it.
            fastCGIRequest.flush()
            if !fastCGIRequest.discardBody(maximum: 4 * maxBodySize) {
                fastCGIRequest.closeConnectionAfterResponse()
            }
        }
    }

    /// Builds the request from CGI/FastCGI parameters as nginx sends them.
    static func makeRequest(from params: [String: String]) -> Request {
        var headers = HTTPHeaders()
        for (name, value) in params.sorted(by: { $0.key < $1.key }) {
            if name.hasPrefix("HTTP_") {
                headers.add(name: headerName(fromParam: name.dropFirst(5)), value: value)
            }
        }
        if let type = params["CONTENT_TYPE"], !type.isEmpty { headers["Content-Type"] = type }
        if let length = params["CONTENT_LENGTH"], !length.isEmpty { headers["Content-Length"] = length }
        let uri: String
        if let requestURI = params["REQUEST_URI"], !requestURI.isEmpty {
            uri = requestURI
        } else {
            let path = (params["SCRIPT_NAME"] ?? "") + (params["PATH_INFO"] ?? "")
            let query = params["QUERY_STRING"] ?? ""
            uri = (path.isEmpty ? "/" : path) + (query.isEmpty ? "" : "?" + query)
        }
        return Request(
            method: HTTPMethod(rawValue: params["REQUEST_METHOD"] ?? "GET"),
            uri: uri,
            headers: headers,
            remoteAddress: params["REMOTE_ADDR"],
            isSecure: params["HTTPS"].map { $0.lowercased() == "on" } ?? false
        )
    }

    /// `USER_AGENT` → `User-Agent`.
    static func headerName(fromParam param: Substring) -> String {
        param.split(separator: "_").map { word in
            word.prefix(1).uppercased() + word.dropFirst().lowercased()
        }.joined(separator: "-")
    }

    /// The CGI response head: `Status:` line, headers, `Content-Length`, blank line.
    static func head(of response: Response) -> [UInt8] {
        var text = "Status: \(response.status.code) \(response.status.reasonPhrase)\r\n"
        var hasLength = false
        for field in response.headers {
            if field.name.caseInsensitiveCompareEquals("Content-Length") { hasLength = true }
            text += "\(field.name): \(field.value)\r\n"
        }
        if !hasLength, response.status.code != 304, response.status.code != 204 {
            text += "Content-Length: \(response.body.count)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }
}

extension String {
    func caseInsensitiveCompareEquals(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
