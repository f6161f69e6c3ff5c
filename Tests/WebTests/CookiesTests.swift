import Testing
@testable import WebFastCGI
import Web

@Suite("Cookies and Set-Cookie")
struct CookiesTests {
    @Test("parses Cookie headers leniently", arguments: [
        ("a=1; b=2", ["a": "1", "b": "2"]),
        ("a=1;b=2", ["a": "1", "b": "2"]),
        ("  a = 1 ;\tb=2\t ", ["a": "1", "b": "2"]),
        ("session=\"abc def\"", ["session": "abc def"]),
        ("a=1; a=2; b=3; b=4", ["a": "1", "b": "3"]),
        ("token=abc=def==", ["token": "abc=def=="]),
        ("empty=; x=1", ["empty": "", "x": "1"]),
        ("garbage; ; =x;;noequals; a=1", ["a": "1"]),
        ("q=\"", ["q": "\""]),
        ("q=\"\"", ["q": ""]),
        ("a=é ; b=\"x y\" ;", ["a": "é", "b": "x y"]),
        (";;;", [:]),
        ("sessionid=s3cr3t; csrftoken=Tok-_09; flash=%7B%22info%22%7D", ["sessionid": "s3cr3t", "csrftoken": "Tok-_09", "flash": "%7B%22info%22%7D"]),
        ("", [:]),
    ])
    func parses(header: String, expected: [String: String]) {
        let cookies = Cookies(header: header)
        #expect(cookies.count == expected.count)
        for (name, value) in expected {
            #expect(cookies[name] == value, "cookie \(name)")
        }
    }

    @Test("no header, no cookies")
    func noHeader() {
        #expect(Cookies(header: nil).count == 0)
        #expect(Cookies(header: nil)["a"] == nil)
    }

    @Test("a request parses its Cookie header, whatever the header's case")
    func requestCookies() {
        let request = Request(method: .get, uri: "/", headers: ["cookie": "sessionid=s3cr3t; csrftoken=tok"])
        #expect(request.cookies["sessionid"] == "s3cr3t")
        #expect(request.cookies["csrftoken"] == "tok")
        #expect(request.cookies["other"] == nil)
    }

    @Test("Set-Cookie defaults are the safe ones")
    func setCookieDefaults() {
        let cookie = SetCookie(name: "sessionid", value: "abc123")
        #expect(cookie.headerValue == "sessionid=abc123; Path=/; Secure; HttpOnly; SameSite=Lax")
    }

    @Test("an expired cookie tells the browser to forget it")
    func expired() {
        let cookie = SetCookie.expired(name: "sessionid")
        #expect(cookie.headerValue == "sessionid=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax")
    }

    @Test("attributes can be changed")
    func customAttributes() {
        var cookie = SetCookie(name: "pref", value: "dark", maxAge: 3600)
        cookie.domain = "example.org"
        cookie.sameSite = .strict
        cookie.httpOnly = false
        #expect(cookie.headerValue == "pref=dark; Path=/; Domain=example.org; Max-Age=3600; Secure; SameSite=Strict")

        cookie.path = nil
        cookie.secure = false
        cookie.sameSite = nil
        #expect(cookie.headerValue == "pref=dark; Domain=example.org; Max-Age=3600")
    }

    @Test("each cookie is its own Set-Cookie header")
    func responseSetsCookies() {
        var response = Response.redirect(to: "/")
        response.setCookie(SetCookie(name: "a", value: "1"))
        response.setCookie(.expired(name: "b"))
        #expect(response.status == .seeOther)
        #expect(response.headers["Location"] == "/")
        #expect(response.headers.values(for: "Set-Cookie") == [
            "a=1; Path=/; Secure; HttpOnly; SameSite=Lax",
            "b=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax",
        ])
    }
}

@Suite("Header fields")
struct HTTPHeadersTests {
    @Test("names compare case-insensitively; repeated fields are kept in order")
    func caseInsensitive() {
        var headers: HTTPHeaders = ["Content-Type": "text/plain", "Vary": "Cookie"]
        headers.add(name: "vary", value: "Accept")
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["CONTENT-TYPE"] == "text/plain")
        #expect(headers.values(for: "VARY") == ["Cookie", "Accept"])
        #expect(headers.contains("vary"))
        #expect(!headers.contains("Varyx"))
        #expect(headers.count == 3)

        headers["Vary"] = "Origin"
        #expect(headers.values(for: "vary") == ["Origin"])
        headers["Vary"] = nil
        #expect(!headers.contains("Vary"))
        #expect(headers.count == 1)
    }

    @Test("CR and LF are dropped from names and values, so no header can be injected", arguments: [
        "/next\r\nSet-Cookie: admin=1",
        "/next\nSet-Cookie: admin=1",
        "/next\rSet-Cookie: admin=1",
        "\r\n\r\n<html>",
    ])
    func injectionStripped(value: String) {
        var headers = HTTPHeaders()
        headers["Location"] = value
        headers.add(name: "X-Evil\r\nSet-Cookie", value: value)
        #expect(headers.count == 2)
        for field in headers {
            #expect(!field.name.utf8.contains { $0 == 13 || $0 == 10 })
            #expect(!field.value.utf8.contains { $0 == 13 || $0 == 10 })
        }
        #expect(!headers.contains("Set-Cookie"))

        // On the wire, the whole head has one line per field.
        var response = Response.redirect(to: value)
        response.setCookie(SetCookie(name: "a", value: value))
        let head = WebResponder<TestContext>.head(of: response)
        // Status, Location, Set-Cookie, Content-Length, blank line: five CRLFs and no stray CR or LF.
        #expect(head.filter { $0 == 10 }.count == 5)
        #expect(head.filter { $0 == 13 }.count == 5)
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n").map(String.init)
        #expect(!lines.contains { $0.hasPrefix("Set-Cookie: admin") || $0 == "<html>" })
    }
}
