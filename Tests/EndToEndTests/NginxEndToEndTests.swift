import Foundation
import ParleyTesting
import Testing

/// Through the real nginx that `make test` starts in front of `parley serve`: TLS, HTTP/2,
/// the redirect, static files, and the app's own answers.
@Suite("End to end through nginx", .enabled(if: TestEnvironment.runsIntegration))
struct NginxEndToEndTests {
    var https: String { get throws { try TestEnvironment.httpsURL } }

    @Test("plain HTTP redirects to HTTPS, keeping path and query")
    func redirectToHTTPS() throws {
        let http = try TestEnvironment.httpURL
        let response = try Curl.request(http + "/healthz?x=1")
        #expect(response.status == 301)
        let location = try #require(response.header("Location"))
        #expect(location == (try https) + "/healthz?x=1")
    }

    @Test("the health check answers over HTTP/2 and TLS with HSTS and a request id")
    func healthOverTLS() throws {
        let response = try Curl.request((try https) + "/healthz", extraArguments: ["--http2"])
        #expect(response.status == 200)
        #expect(response.httpVersion == "HTTP/2")
        #expect(response.bodyText.contains("\"status\":\"ok\""))
        #expect(response.header("Strict-Transport-Security")?.contains("max-age=") == true)
        #expect(response.header("X-Request-Id")?.count == 32)
        #expect(response.header("Content-Type") == "application/json")
    }

    @Test("TLS 1.1 and older are refused")
    func oldTLSRefused() throws {
        #expect(throws: (any Error).self) {
            _ = try Curl.request((try https) + "/healthz", extraArguments: ["--tlsv1.1", "--tls-max", "1.1"])
        }
    }

    @Test("static files come from nginx with a long cache lifetime, never from the app")
    func staticFile() throws {
        let response = try Curl.request((try https) + "/static/style.css")
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/css") == true)
        #expect(response.header("Cache-Control")?.contains("max-age=31536000") == true)
        #expect(response.header("X-Request-Id") == nil)
        #expect(response.body.count > 100)

        let missing = try Curl.request((try https) + "/static/missing.css")
        #expect(missing.status == 404)
        #expect(missing.header("X-Request-Id") == nil)
    }

    @Test("every app response carries a fresh X-Request-Id")
    func requestIDs() throws {
        let first = try Curl.request((try https) + "/healthz").header("X-Request-Id")
        let second = try Curl.request((try https) + "/healthz").header("X-Request-Id")
        #expect(first != nil)
        #expect(first != second)
    }

    @Test("unknown pages get an HTML 404 in the site's layout")
    func htmlNotFound() throws {
        let response = try Curl.request((try https) + "/no/such/page")
        #expect(response.status == 404)
        #expect(response.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(response.bodyText.contains("/static/style.css"))
        #expect(response.header("X-Request-Id") != nil)
    }

    @Test("unknown API routes get a JSON 404")
    func jsonNotFound() throws {
        let response = try Curl.request((try https) + "/api/no-such-thing/")
        #expect(response.status == 404)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.bodyText == #"{"detail":"Not found."}"#)
    }

    @Test("a method the route does not take gets 405 with Allow")
    func methodNotAllowed() throws {
        let response = try Curl.request((try https) + "/api/openapi.json", method: "POST", body: Array("x".utf8))
        #expect(response.status == 405)
        #expect(response.header("Allow") == "GET, HEAD")
    }

    @Test("TRACE, which nginx refuses itself, is parley's 405 with the path's Allow", arguments: [
        ("/api/users/me/", "GET, HEAD, PATCH, DELETE", "application/json"),
        ("/api/register/", "POST", "application/json"),
        ("/login", "GET, HEAD, POST", "text/html; charset=utf-8"),
    ])
    func trace(path: String, allow: String, contentType: String) throws {
        for version in ["--http1.1", "--http2"] {
            let response = try Curl.request((try https) + path, method: "TRACE", extraArguments: [version])
            #expect(response.status == 405, "\(version) \(path)")
            #expect(response.header("Allow") == allow, "\(version) \(path)")
            #expect(response.header("Content-Type") == contentType, "\(version) \(path)")
        }
        // An API path parley does not have stays a 404 (a page path meets the CSRF check first).
        #expect(try Curl.request((try https) + "/api/no/such/path/", method: "TRACE").status == 404)
    }

    @Test("a body over 10 MB is refused with 413")
    func bodyTooLarge() throws {
        let body = [UInt8](repeating: 120, count: 11 * 1024 * 1024)
        let response = try Curl.request((try https) + "/api/anything/", method: "POST", headers: ["Content-Type": "application/octet-stream"], body: body)
        #expect(response.status == 413)
    }

    @Test("a malformed query string is a 400 with a JSON error under /api/")
    func badQuery() throws {
        let response = try Curl.request((try https) + "/api/things/?q=%zz")
        #expect(response.status == 400)
        #expect(response.bodyText.contains("Malformed query string"))
        #expect(response.header("X-Request-Id") != nil)
    }

    @Test("HEAD is answered like GET, with GET's length and no body")
    func head() throws {
        let get = try Curl.request((try https) + "/")
        // `--head` makes curl read no body; were one sent, the next exchange would break.
        let head = try Curl.request((try https) + "/", method: "HEAD", extraArguments: ["--head"])
        #expect(head.status == get.status)
        #expect(head.header("Content-Length") == String(get.body.count))
    }
}

/// Under `make test` the stack must be there: this fails, instead of every suite skipping quietly.
@Suite("Test environment")
struct TestEnvironmentTests {
    @Test("make test provides the stack the integration suites need")
    func stackPresentWhenRequired() throws {
        if TestEnvironment.isStackRequired {
            #expect(TestEnvironment.hasStack, "PARLEY_TEST_REQUIRE_STACK=1 but the stack variables are missing")
        }
    }
}
