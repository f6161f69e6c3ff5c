import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

// No request input traps (issue 10, section 1): extreme numbers, dates and empty values in
// every query parameter, header parameter, path parameter and JSON body field of every route
// of the OpenAPI document, and in every query parameter and form field of every page. Each
// answer must be a 2xx, 3xx or 4xx: a trap would kill this test process (and, in production,
// the server), a 5xx is reported with the route, the place and the value that produced it.

@Suite("Extreme input: the probe reports what it finds")
struct ExtremeInputProbeTests {
    struct Boom: Error {}

    @Test("a route that fails on one value is reported with its route, parameter and value")
    func reportsFindings() throws {
        var router = Router<AppContext>()
        router.get("/api/probe/") { request, _ in
            if request.query["page"] == "9223372036854775807" { throw Boom() }
            return .text("fine")
        }
        let application = Application(router: router)
        let database = PostgresDatabase(configuration: PostgresConfiguration(url: "postgresql:///unused?host=/nonexistent"), logger: OpenAPIFixture.logger)
        let probe = ExtremeInputProbe { method, uri, body, headers in
            var fields = HTTPHeaders()
            for (name, value) in headers { fields[name] = value }
            let request = Request(method: method, uri: uri, headers: fields, body: body ?? [], remoteAddress: "127.0.0.1")
            return TestResponse(application.respond(to: request, context: AppContext(request: request, database: database, logger: OpenAPIFixture.logger)))
        }
        let document: [String: Any] = ["paths": ["/api/probe/": ["get": ["parameters": [["name": "page", "in": "query"]]]]]]
        let world = ExtremeAPIWorld.unused
        try ExtremeAPIWalk(probe: probe, world: world).queries(of: DocumentedOperation.all(in: document))
        #expect(probe.requests == ExtremeValue.text.count)
        #expect(probe.findings.count == 1)
        #expect(probe.report.hasPrefix(#"GET /api/probe/?page=9223372036854775807 [query page = "9223372036854775807"] → 500"#), "\(probe.report)")
    }
}

/// The ids and tokens the walks put where a route wants real ones.
struct ExtremeAPIWorld {
    var conversation = ""
    var message = ""
    var notification = ""
    /// A user other than the caller (admin routes change it).
    var otherUser = ""
    var token = ""

    static let unused = ExtremeAPIWorld()

    /// The id a path parameter of `path` names: the conversation, message, notification or user.
    func id(for path: String) -> String {
        if path.hasPrefix("/api/conversations/") || path.hasPrefix("/conversations/") { return conversation }
        if path.hasPrefix("/api/messages/") || path.hasPrefix("/messages/") { return message }
        if path.hasPrefix("/api/notifications/") || path.hasPrefix("/notifications/") { return notification }
        return otherUser
    }

    /// A plausible value for a JSON body property (so that the replaced one is what is judged).
    func sample(_ name: String, _ schema: [String: Any]) -> Any {
        if let choices = schema["enum"] as? [Any], let first = choices.first { return first }
        switch ExtremeJSONBody.type(of: schema) {
        case "array": return [sample(name, schema["items"] as? [String: Any] ?? ["type": "string", "format": "uuid"])]
        case "integer": return 1
        case "number": return 1.5
        case "boolean": return true
        case "object": return [String: Any]()
        default:
            if schema["format"] as? String == "uuid" { return name.contains("parent") ? message : otherUser }
            if schema["format"] as? String == "email" || name == "email" { return "\(uniqueName("ex"))@example.com" }
            if name == "username" { return uniqueName("ex") }
            if name.contains("password") { return "correct horse battery" }
            return "sample"
        }
    }
}

/// The document-driven walks: each value in each place of each operation, one at a time.
struct ExtremeAPIWalk {
    let probe: ExtremeInputProbe
    let world: ExtremeAPIWorld

    private var auth: [String: String] { world.token.isEmpty ? [:] : ["Authorization": "Bearer \(world.token)"] }

    private func body(_ operation: DocumentedOperation) -> [UInt8]? {
        operation.bodyProperties.map { ExtremeJSONBody.bytes($0, replacing: nil, with: "", sample: world.sample) }
    }

    private func headers(_ operation: DocumentedOperation, _ extra: [String: String] = [:]) -> [String: String] {
        var headers = auth
        if operation.bodyProperties != nil { headers["Content-Type"] = "application/json" }
        headers.merge(extra) { $1 }
        return headers
    }

    /// Every value in every query parameter (real ids in the path, a valid body).
    func queries(of operations: [DocumentedOperation]) throws {
        for operation in operations {
            let path = operation.uri { _ in world.id(for: operation.path) }
            for name in operation.queryParameters {
                for value in ExtremeValue.text {
                    let uri = path + "?" + URLEncodedForm(pairs: [(name: name, value: value.text)]).encoded
                    try probe.probe(operation.method, uri, body: body(operation), headers: headers(operation), place: "query \(name)", value: value)
                }
            }
        }
    }

    /// Every value in every path parameter.
    func paths(of operations: [DocumentedOperation]) throws {
        for operation in operations {
            for name in operation.pathParameters {
                for value in ExtremeValue.text {
                    let uri = operation.uri { $0 == name ? ExtremeInputProbe.escaped(value.text) : world.id(for: operation.path) }
                    try probe.probe(operation.method, uri, body: body(operation), headers: headers(operation), place: "path \(name)", value: value)
                }
            }
        }
    }

    /// Every value in every documented header, and in `Authorization` (bare and as a bearer
    /// token) and `Cookie`, which middleware reads the same way for every route: those go to
    /// the first operation of each method.
    func headers(of operations: [DocumentedOperation]) throws {
        var methodsSeen = Set<String>()
        for operation in operations {
            let path = operation.uri { _ in world.id(for: operation.path) }
            let authorization = methodsSeen.insert(operation.method.rawValue).inserted
            for value in ExtremeValue.text {
                for name in operation.headerParameters {
                    try probe.probe(operation.method, path, body: body(operation), headers: headers(operation, [name: value.text]), place: "header \(name)", value: value)
                }
                guard authorization else { continue }
                try probe.probe(operation.method, path, body: body(operation), headers: headers(operation, ["Authorization": "Bearer \(value.text)"]), place: "header Authorization: Bearer", value: value)
                try probe.probe(operation.method, path, body: body(operation), headers: headers(operation, ["Authorization": value.text]), place: "header Authorization", value: value)
                try probe.probe(operation.method, path, body: body(operation), headers: headers(operation, ["Cookie": "parley_session=\(value.text); parley_csrf=\(value.text)"]), place: "header Cookie", value: value)
            }
        }
    }

    /// Every JSON token in every body property (also inside an array), and as the whole body.
    func bodies(of operations: [DocumentedOperation]) throws {
        for operation in operations {
            guard let properties = operation.bodyProperties else { continue }
            let path = operation.uri { _ in world.id(for: operation.path) }
            for value in ExtremeValue.json {
                try probe.probe(operation.method, path, body: Array(value.text.utf8), headers: headers(operation), place: "body", value: value)
                for name in properties.keys.sorted() {
                    try probe.probe(operation.method, path, body: ExtremeJSONBody.bytes(properties, replacing: name, with: value.text, sample: world.sample),
                                    headers: headers(operation), place: "body \(name)", value: value)
                    try probe.probe(operation.method, path, body: ExtremeJSONBody.bytes(properties, replacing: name, with: "[\(value.text)]", sample: world.sample),
                                    headers: headers(operation), place: "body \(name)[0]", value: value)
                }
            }
        }
    }
}

@Suite("Extreme input: no 5xx, no trap", .enabled(if: TestEnvironment.runsIntegration))
struct ExtremeInputTests {
    /// An admin in a conversation with a message, a reply and a notification, and another user.
    private func apiWorld(_ h: APIHarness) throws -> ExtremeAPIWorld {
        let admin = try h.makeUser(role: .admin)
        let other = try h.makeUser()
        let conversation = try h.conversation(admin, with: [other])
        let message = try h.post("hello", in: conversation, as: other)
        let messageID = try #require(message["message_id"] as? String)
        try h.post("a reply", in: conversation, as: admin, parent: messageID)
        let notifications = try h.request(.get, "/api/notifications/", token: admin.token)
        let notification = try #require(notifications.results.first?["notification_id"] as? String)
        return ExtremeAPIWorld(conversation: conversation, message: messageID, notification: notification, otherUser: other.idString, token: admin.token)
    }

    private func apiProbe(_ h: APIHarness) -> ExtremeInputProbe {
        ExtremeInputProbe { method, uri, body, headers in try h.request(method, uri, body: body, headers: headers) }
    }

    /// The operations, those that delete last (they would delete the world the others use).
    private func operations(_ h: APIHarness) throws -> [DocumentedOperation] {
        let all = DocumentedOperation.all(in: try OpenAPIFixture.document(h.application))
        #expect(all.count >= 20, "the document's operations were not found")
        return all.filter { $0.method != .delete } + all.filter { $0.method == .delete }
    }

    @Test("every query parameter of every API operation")
    func apiQueryParameters() throws {
        let h = try messagingHarness()
        let probe = apiProbe(h)
        let operations = try operations(h)
        #expect(operations.contains { $0.queryParameters.contains("page") }, "no operation has ?page=")
        try ExtremeAPIWalk(probe: probe, world: try apiWorld(h)).queries(of: operations)
        #expect(probe.statuses[200, default: 0] > 0, "no 200 at all: the walk did not reach the handlers")
        #expect(probe.findings.isEmpty, "5xx answers:\n\(probe.report)")
    }

    @Test("?page= whose offset overflows, or past the end, is 404 Invalid page.")
    func invalidPage() throws {
        let h = try messagingHarness()
        let world = try apiWorld(h)
        for path in ["/api/conversations/", "/api/messages/", "/api/notifications/", "/api/users/", "/api/admin/users/", "/api/conversations/\(world.conversation)/messages/"] {
            for page in ["9223372036854775807", "9223372036854775808", "461168601842738791", "1000", "0", "-1", "1e400", ExtremeValue.tenKilobytesOfDigits] {
                for size in ["", "&page_size=1", "&page_size=100", "&page_size=9223372036854775807"] {
                    let response = try h.request(.get, "\(path)?page=\(page)\(size)", token: world.token)
                    #expect(response.status == 404, "\(path)?page=\(page.prefix(30))\(size)")
                    #expect(response.detail == "Invalid page.", "\(path)?page=\(page.prefix(30))\(size)")
                }
            }
            #expect(try h.request(.get, "\(path)?page=1&page_size=9223372036854775807", token: world.token).status == 200, "\(path)")
        }
    }

    @Test("dates outside years 1…9999 in start_date and end_date are 400 Enter a valid date/time.")
    func extremeDates() throws {
        let h = try messagingHarness()
        let world = try apiWorld(h)
        for name in ["start_date", "end_date"] {
            for value in ExtremeValue.dates where !value.text.hasPrefix("9999-12-31") {
                let query = URLEncodedForm(pairs: [(name: name, value: value.text)]).encoded
                let response = try h.request(.get, "/api/messages/?\(query)", token: world.token)
                #expect(response.status == 400, "\(name)=\(value.text)")
                #expect(response.fieldErrors(name) == ["Enter a valid date/time."], "\(name)=\(value.text): \(response.text)")
            }
            for value in ["9999-12-31", "9999-12-31T23:59:59Z", "0001-01-01", "0001-01-01T00:00:00Z"] {
                let query = URLEncodedForm(pairs: [(name: name, value: value)]).encoded
                let response = try h.request(.get, "/api/messages/?\(query)", token: world.token)
                #expect(response.status == 200, "\(name)=\(value): \(response.text)")
            }
        }
    }

    @Test("every path parameter of every API operation")
    func apiPathParameters() throws {
        let h = try messagingHarness()
        let probe = apiProbe(h)
        try ExtremeAPIWalk(probe: probe, world: try apiWorld(h)).paths(of: try operations(h))
        #expect(probe.requests > 0)
        #expect(probe.findings.isEmpty, "5xx answers:\n\(probe.report)")
    }

    @Test("every header parameter of every API operation, Authorization and Cookie")
    func apiHeaders() throws {
        let h = try messagingHarness()
        let probe = apiProbe(h)
        try ExtremeAPIWalk(probe: probe, world: try apiWorld(h)).headers(of: try operations(h))
        #expect(probe.findings.isEmpty, "5xx answers:\n\(probe.report)")
    }

    @Test("every property of every JSON body (POST, PATCH…), and the whole body")
    func apiBodies() throws {
        let h = try messagingHarness()
        let probe = apiProbe(h)
        let operations = try operations(h)
        #expect(operations.contains { $0.bodyProperties?["participant_ids"] != nil }, "no body has participant_ids")
        try ExtremeAPIWalk(probe: probe, world: try apiWorld(h)).bodies(of: operations)
        #expect(probe.statuses[201, default: 0] > 0, "no 201 at all: the sample bodies are not valid")
        #expect(probe.findings.isEmpty, "5xx answers:\n\(probe.report)")
    }
}

// MARK: - Pages

/// The query parameters the pages read (Sources/ParleyApp/Pages/HTTP), by route.
let pageQueryParameters: [String: [String]] = [
    "/": [],
    "/login": ["next"],
    "/signup": [],
    "/inbox": ["page"],
    "/conversations/new": ["to"],
    "/conversations/:id": ["before", "reply"],
    "/messages/:id/edit": [],
    "/messages/:id/history": [],
    "/notifications": ["page"],
    "/account": [],
    "/admin/users": ["search", "page"],
    "/account/export": [],
    "/admin/stats": [],
    "/healthz": [],
]

/// The form fields each page form posts, with a value that passes, by route. Numbers and ids
/// among them: `page` (where to go back to), `parent_message`.
let pageFormFields: [String: [(String, String)]] = [
    "/conversations/new": [("participants", "nobody_here"), ("title", "A title")],
    "/conversations/:id/messages": [("message_body", "hello"), ("parent_message", "")],
    "/conversations/:id/members": [("usernames", "nobody_here")],
    "/conversations/:id/members/remove": [("user_id", "")],
    "/conversations/:id/leave": [],
    "/messages/:id/edit": [("message_body", "edited")],
    "/notifications/:id/read": [("page", "2")],
    "/notifications/read-all": [],
    "/admin/users/:id/role": [("role", "guest"), ("search", "x"), ("page", "2")],
    "/account": [("first_name", "Pat"), ("last_name", "Tester"), ("phone_number", "")],
    "/account/password": [("current_password", "wrong password"), ("new_password", "another horse battery"), ("new_password_confirmation", "another horse battery")],
    "/account/delete": [("password", "wrong password")],
    "/account/api-logins/end": [("login", "00000000-0000-4000-8000-000000000000")],
    "/login": [("username", "nobody_here"), ("password", "wrong password"), ("next", "/inbox")],
    "/signup": [("username", "x"), ("email", "not an email"), ("password", "short"), ("password_confirmation", "short"), ("first_name", "P"), ("last_name", "T")],
    "/logout": [],
]

@Suite("Extreme input: pages", .enabled(if: TestEnvironment.runsIntegration))
struct ExtremeInputPageTests {
    /// An admin signed in through the pages, in a conversation with a message of theirs (to
    /// edit) and one from someone else (a notification).
    private func pageWorld(_ h: APIHarness) throws -> (PageBrowser, ExtremeAPIWorld) {
        let browser = PageBrowser(h)
        browser.remoteAddress = "10.\(Int.random(in: 0...255)).\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
        let name = uniqueName("extreme")
        try browser.signUp(name)
        try h.database.write { try $0.execute("UPDATE users SET role = 'admin' WHERE username = \(name)") }
        let id = try h.userID(name)
        let me = TestUser(id: id, username: name, email: "\(name)@example.com", token: h.accessToken(for: id))
        let other = try h.makeUser()
        let conversation = try h.conversation(me, with: [other])
        let mine = try h.post("mine", in: conversation, as: me)
        try h.post("theirs", in: conversation, as: other)
        let notifications = try h.request(.get, "/api/notifications/", token: me.token)
        let notification = try #require(notifications.results.first?["notification_id"] as? String)
        let world = ExtremeAPIWorld(
            conversation: conversation, message: try #require(mine["message_id"] as? String), notification: notification,
            otherUser: other.idString, token: "")
        return (browser, world)
    }

    private func pageProbe(_ browser: PageBrowser) -> ExtremeInputProbe {
        ExtremeInputProbe { method, uri, body, headers in
            try browser.send(method, uri, body: body, contentType: body == nil ? nil : "application/x-www-form-urlencoded", extraHeaders: headers)
        }
    }

    private func pageRoutes(_ h: APIHarness, _ method: HTTPMethod) -> [String] {
        h.application.router.registeredRoutes.filter { $0.method == method && !$0.pattern.hasPrefix("/api/") }.map(\.pattern)
    }

    private func path(_ pattern: String, _ world: ExtremeAPIWorld, id: String? = nil) -> String {
        pattern.replacingOccurrences(of: ":id", with: id ?? world.id(for: pattern))
    }

    @Test("every query parameter of every page, and every path parameter")
    func pageQueries() throws {
        let h = try APIHarness.pages()
        let (browser, world) = try pageWorld(h)
        let routes = pageRoutes(h, .get)
        #expect(Set(routes).subtracting(pageQueryParameters.keys).sorted() == [], "pages missing from pageQueryParameters")
        let probe = pageProbe(browser)
        for pattern in routes {
            // Its own parameters, and `page` everywhere (the number a new list would read).
            for name in Set(pageQueryParameters[pattern] ?? []).union(["page"]).sorted() {
                for value in ExtremeValue.text {
                    let uri = path(pattern, world) + "?" + URLEncodedForm(pairs: [(name: name, value: value.text)]).encoded
                    try probe.probe(.get, uri, place: "query \(name)", value: value)
                }
            }
            if pattern.contains(":id") {
                for value in ExtremeValue.text {
                    try probe.probe(.get, path(pattern, world, id: ExtremeInputProbe.escaped(value.text)), place: "path id", value: value)
                }
            }
        }
        #expect(probe.statuses[200, default: 0] > 0, "no 200 at all: the walk did not reach the pages")
        #expect(probe.findings.isEmpty, "5xx answers:\n\(probe.report)")
        // Still signed in and an admin: the walk judged the pages, not the log-in page.
        #expect(try browser.get("/admin/users").status == 200)
        let deep = try browser.get("/inbox?page=9223372036854775807")
        #expect(deep.status == 404)
        #expect(deep.text.contains("That page does not exist."))
    }

    @Test("every field of every page form, and every path parameter of a form's action")
    func pageForms() throws {
        let h = try APIHarness.pages()
        let (browser, world) = try pageWorld(h)
        let routes = pageRoutes(h, .post)
        #expect(Set(routes).subtracting(pageFormFields.keys).sorted() == [], "forms missing from pageFormFields")
        let token = try #require(PageBrowser.csrfToken(in: try browser.get("/inbox").text))
        let probe = pageProbe(browser)
        // Signed out and signed up again last: those change who the browser is.
        let anonymous = ["/login", "/signup", "/logout", "/account/delete"]
        for pattern in routes.filter({ !anonymous.contains($0) }) + anonymous where routes.contains(pattern) {
            let fields = pageFormFields[pattern] ?? []
            let target = pattern == "/account/delete" ? browser : anonymous.contains(pattern) ? PageBrowser(h) : browser
            let formToken = target === browser ? token : try #require(PageBrowser.csrfToken(in: try target.get("/login").text))
            let formProbe = target === browser ? probe : pageProbe(target)
            for value in ExtremeValue.text {
                for (index, field) in fields.enumerated() {
                    var form = fields
                    form[index].1 = value.text
                    form.append(("csrf_token", formToken))
                    try formProbe.probe(.post, path(pattern, world), body: Array(URLEncodedForm(pairs: form.map { (name: $0.0, value: $0.1) }).encoded.utf8), place: "form \(field.0)", value: value)
                }
                if pattern.contains(":id") {
                    let form = fields + [("csrf_token", formToken)]
                    try formProbe.probe(.post, path(pattern, world, id: ExtremeInputProbe.escaped(value.text)), body: Array(URLEncodedForm(pairs: form.map { (name: $0.0, value: $0.1) }).encoded.utf8), place: "path id", value: value)
                }
            }
            if formProbe !== probe {
                #expect(formProbe.findings.isEmpty, "5xx answers:\n\(formProbe.report)")
            }
        }
        #expect(probe.statuses[303, default: 0] > 0, "no 303 at all: the forms were refused (CSRF?)")
        #expect(probe.findings.isEmpty, "5xx answers:\n\(probe.report)")
    }
}

// MARK: - The arithmetic itself

@Suite("Extreme input: page and date arithmetic")
struct ExtremePageArithmeticTests {
    @Test("PageRequest(validating:size:) refuses what is below 1 or whose offset overflows", arguments: [
        (Int.max, 20, nil), (Int.max, 1, Int.max - 1), (Int.max, 2, nil), (Int.min, 1, nil), (0, 20, nil), (-1, 20, nil),
        (1, 0, nil), (1, -5, nil), (1, Int.max, 0), (2, Int.max, Int.max), (3, Int.max, nil),
        (461_168_601_842_738_791, 20, 9_223_372_036_854_775_800), (461_168_601_842_738_792, 20, nil), (3, 20, 40),
    ] as [(Int, Int, Int?)])
    func validating(number: Int, size: Int, offset: Int?) {
        #expect(PageRequest(validating: number, size: size)?.offset == offset)
    }

    @Test("a page near Int.max neither exists nor overflows hasNext")
    func nearTheEnd() throws {
        let request = try #require(PageRequest(validating: Int.max, size: 1))
        #expect(!request.exists(total: 10))
        #expect(!Page(items: [1, 2], total: Int.max, request: request).hasNext)
        #expect(!Page(items: [1], total: Int.max, request: request).hasNext)
        #expect(Page(items: [Int](), total: Int.max, request: request).hasNext)
    }

    @Test("?page= that is not a page is 404 Invalid page.; ?page_size= past Int is the cap", arguments: [
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "0", "-1", "1e400", "NaN", "1.5", "+-1",
        ExtremeValue.tenKilobytesOfDigits,
    ])
    func pageRequest(page: String) throws {
        let query = URLEncodedForm(pairs: [(name: "page", value: page), (name: "page_size", value: "9223372036854775808")])
        #expect(throws: Pagination.invalidPage) { try Pagination.pageRequest(query) }
        #expect(throws: HTTPError.self) { try PaginationView.pageRequest(query, size: 20) }
        #expect(try Pagination.pageSize(query) == Pagination.maxPageSize)
    }

    @Test("dates are read in the years 1…9999 only", arguments: [
        ("0001-01-01", true), ("0001-01-01T00:00:00Z", true), ("9999-12-31", true), ("9999-12-31T23:59:59.999Z", true),
        ("0000-01-01", false), ("99999-01-01T00:00:00Z", false), ("-0005-01-01T00:00:00Z", false), ("-5000-01-01T00:00:00Z", false),
        ("300000-01-01T00:00:00Z", false), ("0001-01-01T00:00:00+14:00", false), ("9999-12-31T23:59:59-14:00", false),
        ("9223372036854775807", false), ("1e400", false), ("NaN", false),
    ])
    func dates(text: String, valid: Bool) {
        #expect((QueryDates.parse(text, endOfDay: false) != nil) == valid)
        #expect((QueryDates.parse(text, endOfDay: true) != nil) == valid)
    }
}
