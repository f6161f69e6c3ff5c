/// Turns thrown errors into responses, in one place.
///
/// Under `/api/` errors are JSON (`{"detail": "…"}`, or `{"field": ["…"]}` for validation);
/// elsewhere they are HTML pages from the ``ErrorPageRenderer``. An error that is not an
/// ``HTTPResponseError`` is logged with its detail and the request id, and the client gets a
/// generic 500 that says nothing about it.
struct ErrorMiddleware<Context: RequestContext>: Middleware {
    let renderer: ErrorPageRenderer

    func handle(_ request: Request, context: Context, next: Responder<Context>) throws -> Response {
        do {
            return try next(request, context)
        } catch let error as any HTTPResponseError {
            return render(error, for: request)
        } catch {
            context.logger.error("internal error", metadata: ["error": "\(logDescription(of: error))"])
            return render(HTTPError(.internalServerError), for: request)
        }
    }

    func render(_ error: any HTTPResponseError, for request: Request) -> Response {
        var response: Response
        if ErrorMiddleware.wantsJSON(request) {
            let body: String
            if let fields = error.fieldErrors {
                body = JSONText.object(fields.sorted { $0.key < $1.key }.map { ($0.key, JSONText.array($0.value)) })
            } else {
                body = JSONText.object([("detail", JSONText.string(error.publicMessage))])
            }
            response = Response(status: error.status, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
        } else {
            response = .html(renderer.render(error.status, error.publicMessage, request), status: error.status)
        }
        for field in error.headers { response.headers[field.name] = field.value }
        return response
    }

    static func wantsJSON(_ request: Request) -> Bool {
        request.path.hasPrefix("/api/") || request.path == "/api"
    }
}

/// Renders an HTML error page. The default is a small page in the site's layout and stylesheet;
/// the application can supply its own (templates).
public struct ErrorPageRenderer: Sendable {
    public let render: @Sendable (HTTPStatus, String, Request) -> String

    public init(render: @escaping @Sendable (HTTPStatus, String, Request) -> String) {
        self.render = render
    }

    public static let plain = ErrorPageRenderer { status, message, _ in
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(status.code) \(status.reasonPhrase.htmlEscaped) · Parley</title>
        <link rel="stylesheet" href="/static/style.css">
        </head>
        <body>
        <header class="site-header"><a class="brand" href="/">Parley</a></header>
        <main class="error-page">
        <h1>\(status.code) \(status.reasonPhrase.htmlEscaped)</h1>
        <p>\(message.htmlEscaped)</p>
        <p><a href="/">Back to the start page</a></p>
        </main>
        </body>
        </html>

        """
    }
}

/// Minimal JSON text building for error bodies, which must never fail to encode (and the
/// status page's JSON).
package enum JSONText {
    package static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func array(_ values: [String]) -> String {
        "[" + values.map(string).joined(separator: ",") + "]"
    }

    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
