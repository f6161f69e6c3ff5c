import Foundation
import Testing
import Web

/// An internal failure whose description holds something that must never reach a client.
struct LeakyError: Error, CustomStringConvertible {
    var description: String { "connection to postgres://parley:hunter2@db/parley failed" }
}

/// An error that has a log-safe description besides a leaky one (as `PostgresError` has).
struct DescribedError: LogSafeError, CustomStringConvertible, CustomDebugStringConvertible {
    var description: String { "duplicate key: Key (email)=(ada@example.com) already exists" }
    var debugDescription: String { description }
    var logDescription: String { "DescribedError(SQLSTATE 23505) constraint=users_email_lower_key" }
}

/// An application error type that maps itself to a response.
struct PaymentRequired: HTTPResponseError {
    var status: HTTPStatus { HTTPStatus(code: 402, reasonPhrase: "Payment Required") }
    var publicMessage: String { "Upgrade your plan." }
    var headers: HTTPHeaders { ["WWW-Authenticate": "Bearer realm=\"parley\""] }
}

@Suite("Errors become responses in one place")
struct ErrorMiddlewareTests {
    let client = Self.makeClient()

    /// A fresh client (and log) per call, for tests that read the log.
    static func makeClient() -> TestClient {
        TestClient { router in
            for prefix in ["/api", ""] {
                router.get("\(prefix)/forbidden") { _, _ in throw HTTPError(.forbidden) }
                router.get("\(prefix)/hostile") { _, _ in
                    throw HTTPError(.forbidden, "<script>alert('x')</script> & \"more\"")
                }
                router.get("\(prefix)/leak") { _, _ in throw LeakyError() }
                router.get("\(prefix)/described") { _, _ in throw DescribedError() }
                router.post("\(prefix)/validate") { _, _ in
                    throw HTTPError.validation([
                        "email": ["Enter a valid email address."],
                        "age": ["Must be at least 13.", "Must be a number."],
                    ])
                }
                router.get("\(prefix)/slow-down") { _, _ in
                    throw HTTPError(.tooManyRequests, headers: ["Retry-After": "30"])
                }
                router.get("\(prefix)/pay") { _, _ in throw PaymentRequired() }
            }
            router.get("/api/quoted") { _, _ in throw HTTPError(.conflict, "Name \"x\" taken\nby \\ someone\u{1}") }
        }
    }

    @Test("an HTTPError under /api/ is JSON with a detail")
    func jsonError() {
        let response = client.send(.get, "/api/forbidden")
        #expect(response.status == .forbidden)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(response.bodyText == #"{"detail":"You do not have permission to perform this action."}"#)
    }

    @Test("the detail is valid JSON whatever the message holds")
    func jsonEscaping() {
        let response = client.send(.get, "/api/quoted")
        #expect(response.status == .conflict)
        #expect(response.detail == "Name \"x\" taken\nby \\ someone\u{1}")
    }

    @Test("elsewhere it is an HTML page in the site's layout")
    func htmlError() {
        let response = client.send(.get, "/forbidden")
        #expect(response.status == .forbidden)
        #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
        let html = response.bodyText
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains(#"<link rel="stylesheet" href="/static/style.css">"#))
        #expect(html.contains("<h1>403 Forbidden</h1>"))
        #expect(html.contains("You do not have permission to perform this action."))
    }

    @Test("the message on an HTML page is escaped")
    func htmlEscapesMessage() {
        let html = client.send(.get, "/hostile").bodyText
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;"))

        let api = client.send(.get, "/api/hostile")
        #expect(api.detail == "<script>alert('x')</script> & \"more\"")
    }

    @Test("an unknown error is a generic 500 for the client; the log names its type and quotes none of it", arguments: ["/api/leak", "/leak"])
    func internalError(path: String) {
        let client = Self.makeClient()
        let response = client.send(.get, path)
        #expect(response.status == .internalServerError)
        #expect(!response.bodyText.contains("hunter2"))
        #expect(!response.bodyText.contains("postgres"))
        #expect(!response.bodyText.contains("LeakyError"))
        if path.hasPrefix("/api/") {
            #expect(response.bodyText == #"{"detail":"A server error occurred."}"#)
        } else {
            #expect(response.bodyText.contains("A server error occurred."))
        }

        let errors = client.log.entries.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.metadata["error"]?.contains("LeakyError") == true)
        #expect(errors.first?.metadata["error"]?.contains("hunter2") == false)
        #expect(client.log.accessLog?.metadata["status"] == "500")
        #expect(client.log.accessLog?.metadata["request_id"] == response.headers["X-Request-Id"])
    }

    @Test("an error with a log-safe description is logged by it, not by its description", arguments: ["/api/described", "/described"])
    func logSafeError(path: String) {
        let client = Self.makeClient()
        #expect(client.send(.get, path).status == .internalServerError)
        let logged = client.log.entries.filter { $0.level == .error }.first?.metadata["error"] ?? ""
        #expect(logged == "DescribedError(SQLSTATE 23505) constraint=users_email_lower_key")
        #expect(!logged.contains("ada@example.com"))
    }

    @Test("validation errors are {field: [messages]} under /api/")
    func validationJSON() {
        let response = client.send(.post, "/api/validate")
        #expect(response.status == .badRequest)
        #expect(response.fieldErrors == [
            "email": ["Enter a valid email address."],
            "age": ["Must be at least 13.", "Must be a number."],
        ])
        // Fields in a stable order, so the body is the same every time.
        #expect(response.bodyText == #"{"age":["Must be at least 13.","Must be a number."],"email":["Enter a valid email address."]}"#)
    }

    @Test("validation errors on an HTML page are a plain 400")
    func validationHTML() {
        let response = client.send(.post, "/validate")
        #expect(response.status == .badRequest)
        #expect(response.bodyText.contains("Invalid input."))
    }

    @Test("an error's headers are carried to the response", arguments: ["/api/slow-down", "/slow-down"])
    func errorHeaders(path: String) {
        let response = client.send(.get, path)
        #expect(response.status == .tooManyRequests)
        #expect(response.headers["Retry-After"] == "30")
        #expect(response.headers["X-Request-Id"] != nil)
    }

    @Test("a custom HTTPResponseError decides its own status, message and headers", arguments: ["/api/pay", "/pay"])
    func customError(path: String) {
        let client = Self.makeClient()
        let response = client.send(.get, path)
        #expect(response.status.code == 402)
        #expect(response.headers["WWW-Authenticate"] == "Bearer realm=\"parley\"")
        #expect(response.bodyText.contains("Upgrade your plan."))
        #expect(client.log.entries.allSatisfy { $0.level != .error })
    }

    @Test("a custom error page renderer is used for HTML errors, not for /api/")
    func customRenderer() {
        var router = Router<TestContext>()
        router.get("/gone") { _, _ in throw HTTPError(HTTPStatus(code: 410)) }
        router.get("/api/gone") { _, _ in throw HTTPError(HTTPStatus(code: 410)) }
        let application = Application(router: router, errorPages: ErrorPageRenderer { status, message, request in
            "<p>\(status.code) \(message) at \(request.path)</p>"
        }, jsonErrorPathPrefixes: ["/api"])
        let log = LogRecorder()
        let page = application.respond(to: Request(method: .get, uri: "/gone"), context: TestContext(logger: log.makeLogger()))
        #expect(page.status.code == 410)
        #expect(page.bodyText == "<p>410 Gone at /gone</p>")

        let api = application.respond(to: Request(method: .get, uri: "/api/gone"), context: TestContext(logger: log.makeLogger()))
        #expect(api.detail == "Gone")
    }

    @Test("Web assumes no API: without JSON prefixes every error is an HTML page")
    func noJSONPathsByDefault() {
        var router = Router<TestContext>()
        router.get("/api/gone") { _, _ in throw HTTPError(HTTPStatus(code: 410)) }
        let application = Application(router: router)
        let response = application.respond(to: Request(method: .get, uri: "/api/gone"), context: TestContext(logger: LogRecorder().makeLogger()))
        #expect(response.status.code == 410)
        #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
    }

    @Test("a JSON prefix covers its own path and the paths below it, not a longer name", arguments: [
        ("/api", true), ("/api/", true), ("/api/x/y", true), ("/apiary", false), ("/", false), ("/v2/api", false),
    ])
    func jsonPrefix(path: String, json: Bool) {
        let rendering = ErrorRendering(jsonPathPrefixes: ["/api"], page: .plain())
        #expect(rendering.wantsJSON(Request(method: .get, uri: path)) == json)
    }

    @Test("the plain page names no site by default")
    func plainPageIsNeutral() {
        let html = ErrorPageRenderer.plain().render(.notFound, "Not found.", Request(method: .get, uri: "/x"))
        #expect(html == """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>404 Not Found</title>
            </head>
            <body>
            <main class="error-page">
            <h1>404 Not Found</h1>
            <p>Not found.</p>
            <p><a href="/">Back to the start page</a></p>
            </main>
            </body>
            </html>

            """)
    }

    @Test("with a site name and a stylesheet, the plain page is the one Web used to hard-code")
    func plainPageNamed() {
        let html = ErrorPageRenderer.plain(siteName: "Parley", stylesheet: "/static/style.css")
            .render(.forbidden, "<b>no</b>", Request(method: .get, uri: "/x"))
        #expect(html == """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>403 Forbidden · Parley</title>
            <link rel="stylesheet" href="/static/style.css">
            </head>
            <body>
            <header class="site-header"><a class="brand" href="/">Parley</a></header>
            <main class="error-page">
            <h1>403 Forbidden</h1>
            <p>&lt;b&gt;no&lt;/b&gt;</p>
            <p><a href="/">Back to the start page</a></p>
            </main>
            </body>
            </html>

            """)
    }

    @Test("HTTPError defaults its message from the status")
    func defaultMessages() {
        #expect(HTTPError(.notFound).publicMessage == "Not found.")
        #expect(HTTPError(.unauthorized).publicMessage == "Authentication credentials were not provided.")
        #expect(HTTPError(.serviceUnavailable).publicMessage == "Service unavailable.")
        #expect(HTTPError(HTTPStatus(code: 502)).publicMessage == "A server error occurred.")
        #expect(HTTPError(.conflict).publicMessage == "Conflict")
        #expect(HTTPError(.notFound, "No such conversation.").publicMessage == "No such conversation.")
    }
}
