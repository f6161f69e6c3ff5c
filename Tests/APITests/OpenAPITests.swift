import Foundation
import Logging
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Testing
import Web

// `GET /api/openapi.json` and whether the document tells the truth: every registered `/api/`
// route is documented (and nothing else), the document passes openapi-spec-validator, and real
// responses match the schemas documented for their operation and status.

/// The document as the application serves it, fetched without a database (the route needs
/// none; the connection is opened lazily and never is).
enum OpenAPIFixture {
    static let logger = Logger(label: "openapi-test") { _ in SwiftLogNoOpLogHandler() }

    static func get(_ application: Application<AppContext>, headers: HTTPHeaders = HTTPHeaders()) -> Response {
        let request = Request(method: .get, uri: "/api/openapi.json", headers: headers, remoteAddress: "127.0.0.1")
        let database = PostgresDatabase(configuration: PostgresConfiguration(url: "postgresql:///unused?host=/nonexistent"), logger: logger)
        return application.respond(to: request, context: AppContext(request: request, database: database, logger: logger))
    }

    static func document(_ application: Application<AppContext> = ParleyApplication.build(configuration: .testing())) throws -> [String: Any] {
        let response = get(application)
        guard response.status == .ok, let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw OpenAPITestFailure("GET /api/openapi.json: \(response.status.code) \(response.bodyText.prefix(200))")
        }
        return object
    }

    static let operationKeys: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// `METHOD /path/{param}/` for every operation in `paths`.
    static func documentedOperations(_ document: [String: Any]) -> Set<String> {
        let paths = document["paths"] as? [String: Any] ?? [:]
        var operations = Set<String>()
        for (path, item) in paths {
            for (key, operation) in item as? [String: Any] ?? [:] where operationKeys.contains(key) {
                // The live event streams are nginx's (Nchan), not parley routes.
                if (operation as? [String: Any])?["x-served-by"] as? String == "nginx" { continue }
                operations.insert("\(key.uppercased()) \(path)")
            }
        }
        return operations
    }

    /// `/api/messages/:id/` → `/api/messages/{id}/`.
    static func openAPIPath(_ pattern: String) -> String {
        pattern.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            .joined(separator: "/")
    }

    /// Follows `$ref`s inside the document (`#/components/schemas/User`).
    static func resolve(_ value: Any?, in document: [String: Any]) -> [String: Any] {
        var node = value as? [String: Any] ?? [:]
        var hops = 0
        while let ref = node["$ref"] as? String, ref.hasPrefix("#/"), hops < 16 {
            var target: Any? = document
            for part in ref.dropFirst(2).split(separator: "/") { target = (target as? [String: Any])?[String(part)] }
            node = target as? [String: Any] ?? [:]
            hops += 1
        }
        return node
    }

    static func schema(_ name: String, in document: [String: Any]) -> [String: Any] {
        resolve(["$ref": "#/components/schemas/\(name)"], in: document)
    }
}

struct OpenAPITestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `python3` from PATH, as `make test` provides it (with openapi-spec-validator).
enum OpenAPIPython {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    static let hasValidator: Bool = (try? run(["-c", "import openapi_spec_validator"]))?.status == 0

    static func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let directory = TestEnvironment.values["PARLEY_TEST_DIR"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory
        let url = directory.appendingPathComponent("\(UUID().uuidString.prefix(8))-\(name)")
        try Data(bytes).write(to: url)
        return url
    }
}

@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    @Test("GET /api/openapi.json: 200 JSON without a token, OpenAPI 3.1, bearer JWT; an ETag and 304")
    func served() throws {
        let application = ParleyApplication.build(configuration: .testing())
        let response = OpenAPIFixture.get(application)
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "application/json")
        let document = try OpenAPIFixture.document(application)
        #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
        let schemes = (document["components"] as? [String: Any])?["securitySchemes"] as? [String: Any]
        let bearer = schemes?["bearerAuth"] as? [String: Any]
        #expect(bearer?["scheme"] as? String == "bearer")
        #expect(bearer?["bearerFormat"] as? String == "JWT")

        let tag = try #require(response.headers["ETag"])
        let again = OpenAPIFixture.get(application, headers: ["If-None-Match": tag])
        #expect(again.status == .notModified)
        #expect(again.body.isEmpty)
        // The same bytes every time, and in another process with the same configuration.
        #expect(OpenAPIFixture.get(application).body == response.body)
    }

    @Test("every registered /api/ route is documented with its method, and nothing else is")
    func everyRouteDocumented() throws {
        let application = ParleyApplication.build(configuration: .testing())
        let routes = application.router.registeredRoutes.filter { $0.pattern.hasPrefix("/api/") }
        #expect(!routes.isEmpty)
        let registered = Set(routes.map { "\($0.method.rawValue) \($0.pattern)" })
        var expected = Set<String>()
        for route in routes {
            var pattern = route.pattern
            // A DRF route is registered with and without its slash; the slashed form stands for both.
            if !pattern.hasSuffix("/"), registered.contains("\(route.method.rawValue) \(pattern)/") { pattern += "/" }
            expected.insert("\(route.method.rawValue) \(OpenAPIFixture.openAPIPath(pattern))")
        }
        let documented = OpenAPIFixture.documentedOperations(try OpenAPIFixture.document(application))
        #expect(expected.subtracting(documented).sorted() == [], "registered but not documented")
        #expect(documented.subtracting(expected).sorted() == [], "documented but not registered")
    }

    @Test("operation ids are unique; every operation has a summary, a tag and a 2xx answer")
    func operationsWellFormed() throws {
        let document = try OpenAPIFixture.document()
        var ids: [String] = []
        for (path, item) in document["paths"] as? [String: Any] ?? [:] {
            for (method, value) in item as? [String: Any] ?? [:] where OpenAPIFixture.operationKeys.contains(method) {
                let operation = value as? [String: Any] ?? [:]
                ids.append(operation["operationId"] as? String ?? "")
                #expect(operation["summary"] is String, "\(method) \(path)")
                #expect((operation["tags"] as? [String])?.count == 1, "\(method) \(path)")
                let statuses = (operation["responses"] as? [String: Any] ?? [:]).keys
                #expect(statuses.contains { $0.hasPrefix("2") }, "\(method) \(path)")
            }
        }
        #expect(Set(ids).count == ids.count)
        #expect(!ids.contains(""))
    }
}

@Suite("OpenAPI document validity", .enabled(if: TestEnvironment.runsIntegration || OpenAPIPython.hasValidator))
struct OpenAPIValidityTests {
    @Test("openapi-spec-validator accepts the document")
    func validates() throws {
        let response = OpenAPIFixture.get(ParleyApplication.build(configuration: .testing()))
        let file = try OpenAPIPython.temporaryFile("openapi.json", response.body)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try OpenAPIPython.run(["-m", "openapi_spec_validator", file.path])
        #expect(result.status == 0, "\(result.output)")
    }
}

/// Records real answers, each with the operation (path template, method) and status it
/// belongs to, for one check against the document at the end.
final class OpenAPISampleRecorder {
    let harness: APIHarness
    private(set) var samples: [[String: Any]] = []

    init(_ harness: APIHarness) { self.harness = harness }

    /// Sends `method` to `template` with `{id}` replaced by `id` (and `{user_id}` by
    /// `userID`), and records the answer.
    @discardableResult
    func call(
        _ method: HTTPMethod, _ template: String, id: String? = nil, userID: String? = nil, query: String = "",
        json: (any Encodable)? = nil, token: String? = nil, headers: [String: String] = [:]
    ) throws -> TestResponse {
        var uri = template
        if let id { uri = uri.replacingOccurrences(of: "{id}", with: id) }
        if let userID { uri = uri.replacingOccurrences(of: "{user_id}", with: userID) }
        if !query.isEmpty { uri += "?" + query }
        let response = try harness.request(method, uri, json: json, token: token, headers: headers)
        var sample: [String: Any] = [
            "path": template, "method": method.rawValue.lowercased(), "status": String(response.status),
            "headers": ["ETag", "Retry-After", "WWW-Authenticate", "Idempotent-Replayed"].filter { response.header($0) != nil },
        ]
        if !response.response.body.isEmpty { sample["body"] = response.text }
        samples.append(sample)
        return response
    }
}

/// Checks each sample against the document: the operation documents the status; a body is
/// valid against its schema with every object closed (`additionalProperties: false` wherever
/// `properties` are listed, so an undocumented key fails too) and formats checked (uuid,
/// date-time, email, uri); `ETag`, `Retry-After`, `WWW-Authenticate` are sent if and only
/// if documented (`Idempotent-Replayed` only when sent).
private let sampleChecker = #"""
import copy, json, sys
from openapi_schema_validator import OAS31Validator, oas31_format_checker
from jsonschema.exceptions import best_match

document = json.load(open(sys.argv[1]))
samples = json.load(open(sys.argv[2]))
strict = copy.deepcopy(document)

def close(node):
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict) and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            close(value)
    elif isinstance(node, list):
        for value in node:
            close(value)

close(strict["components"])
close(strict["paths"])

def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        target = strict
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node

failures = []
for sample in samples:
    label = "%s %s -> %s" % (sample["method"].upper(), sample["path"], sample["status"])
    operation = strict["paths"].get(sample["path"], {}).get(sample["method"])
    if operation is None:
        failures.append(label + ": operation not documented")
        continue
    response = operation["responses"].get(sample["status"])
    if response is None:
        failures.append(label + ": status not documented")
        continue
    response = resolve(response)
    documented_headers = set(response.get("headers", {}))
    for header in ["ETag", "Retry-After", "WWW-Authenticate", "Idempotent-Replayed"]:
        sent = header in sample["headers"]
        if sent and header not in documented_headers:
            failures.append(label + ": sends " + header + ", not documented")
        if not sent and header in documented_headers and header != "Idempotent-Replayed":
            failures.append(label + ": documents " + header + ", not sent")
    content = response.get("content", {}).get("application/json")
    if "body" not in sample:
        if content is not None:
            failures.append(label + ": documented with a JSON body, answered without")
        continue
    if content is None:
        failures.append(label + ": answered with a body, none documented")
        continue
    schema = dict(content["schema"])
    schema["components"] = strict["components"]
    instance = json.loads(sample["body"])
    error = best_match(OAS31Validator(schema, format_checker=oas31_format_checker).iter_errors(instance))
    if error is not None:
        failures.append("%s: %s at /%s (body: %s)" % (label, error.message[:300], "/".join(map(str, error.absolute_path)), sample["body"][:300]))

for failure in failures:
    print(failure)
print("%d samples, %d failures" % (len(samples), len(failures)))
sys.exit(1 if failures else 0)
"""#

@Suite("OpenAPI schemas against real responses", .enabled(if: TestEnvironment.runsIntegration))
struct OpenAPIResponseTests {
    private struct Registration: Encodable {
        var username: String
        var email: String
        var password: String
        var first_name: String
        var last_name: String
    }

    private struct Conversation: Encodable {
        var participant_ids: [String]
        var title: String?
    }

    private struct Post: Encodable {
        var message_body: String
        var parent_message: String?
    }

    /// `required` and the keys of `properties` of a component schema.
    private func keys(of name: String, in document: [String: Any]) -> (required: Set<String>, properties: Set<String>) {
        let schema = OpenAPIFixture.schema(name, in: document)
        return (Set(schema["required"] as? [String] ?? []), Set((schema["properties"] as? [String: Any] ?? [:]).keys))
    }

    @Test("a registered user's keys are the User schema's properties, all required")
    func registerMatchesSchema() throws {
        let h = try APIHarness()
        let document = try OpenAPIFixture.document(h.application)
        let name = "oa_\(UUID().uuidString.prefix(8).lowercased())"
        let response = try h.request(.post, "/api/register/", json: Registration(
            username: name, email: "\(name)@example.com", password: "correct horse battery", first_name: "Ada", last_name: "Lovelace"))
        #expect(response.status == 201)
        let schema = keys(of: "User", in: document)
        #expect(Set(response.object.keys) == schema.properties)
        #expect(schema.required == schema.properties)
        // The operation's 201 is that schema.
        let paths = document["paths"] as? [String: Any]
        let post = (paths?["/api/register/"] as? [String: Any])?["post"] as? [String: Any]
        let created = OpenAPIFixture.resolve((post?["responses"] as? [String: Any])?["201"], in: document)
        let content = (created["content"] as? [String: Any])?["application/json"] as? [String: Any]
        #expect((content?["schema"] as? [String: Any])?["$ref"] as? String == "#/components/schemas/User")
    }

    @Test("a posted message's keys are the Message schema's properties, all required; its sender's are UserReference's")
    func messageMatchesSchema() throws {
        let h = try messagingHarness()
        let document = try OpenAPIFixture.document(h.application)
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let conversation = try h.conversation(alice, with: [bob])
        let response = try h.request(.post, "/api/conversations/\(conversation)/messages/", json: Post(message_body: "hello"), token: alice.token)
        #expect(response.status == 201)
        let schema = keys(of: "Message", in: document)
        #expect(Set(response.object.keys) == schema.properties)
        #expect(schema.required == schema.properties)
        let sender = keys(of: "UserReference", in: document)
        #expect(Set((response.object["sender"] as? [String: Any] ?? [:]).keys) == sender.properties)
        let thread = keys(of: "MessageThread", in: document)
        #expect(thread.properties == schema.properties.union(["replies"]))
    }

    @Test("answers of every operation validate against the schema documented for their status")
    func responsesValidate() throws {
        let h = try messagingHarness()
        let r = OpenAPISampleRecorder(h)

        // Accounts and tokens.
        let name = "oa_\(UUID().uuidString.prefix(8).lowercased())"
        let registration = Registration(username: name, email: "\(name)@example.com", password: "correct horse battery", first_name: "Ada", last_name: "")
        let me = try r.call(.post, "/api/register/", json: registration)
        #expect(me.status == 201)
        #expect(try r.call(.post, "/api/register/", json: registration).status == 400)
        #expect(try r.call(.post, "/api/register/", json: ["username": name]).status == 400)
        #expect(try r.call(.post, "/api/register/", json: registration, token: "not-a-token").status == 401)
        let pair = try r.call(.post, "/api/token/", json: ["username": name, "password": "correct horse battery"])
        #expect(pair.status == 200)
        #expect(try r.call(.post, "/api/token/", json: ["username": name, "password": "wrong password!"]).status == 401)
        #expect(try r.call(.post, "/api/token/", json: [String: String]()).status == 400)
        let refreshed = try r.call(.post, "/api/token/refresh/", json: ["refresh": pair.object["refresh"] as? String ?? ""])
        #expect(refreshed.status == 200)
        #expect(try r.call(.post, "/api/token/refresh/", json: ["refresh": pair.object["refresh"] as? String ?? ""]).status == 401)
        let token = try #require(refreshed.object["access"] as? String)
        #expect(try r.call(.get, "/api/users/me/", token: token).status == 401, "the family was revoked by the reuse")
        let fresh = try h.login(name)
        #expect(try r.call(.get, "/api/users/me/", token: fresh.access).status == 200)
        #expect(try r.call(.get, "/api/users/me/").status == 401)
        #expect(try r.call(.patch, "/api/users/me/", json: ["phone_number": "+33 1 23 45 67 89"], token: fresh.access).status == 200)
        #expect(try r.call(.patch, "/api/users/me/", json: ["email": "not an email"], token: fresh.access).status == 400)
        #expect(try r.call(.get, "/api/users/", query: "search=\(name)", token: fresh.access).status == 200)
        #expect(try r.call(.get, "/api/users/", query: "page=9999", token: fresh.access).status == 404)

        // Admin.
        let admin = try h.makeUser(role: .admin)
        let guest = try h.makeUser()
        let meID = try #require(me.object["user_id"] as? String)
        #expect(try r.call(.get, "/api/admin/users/", query: "page_size=2", token: admin.token).status == 200)
        #expect(try r.call(.get, "/api/admin/users/", token: guest.token).status == 403)
        #expect(try r.call(.get, "/api/admin/users/{id}/", id: meID, token: admin.token).status == 200)
        #expect(try r.call(.get, "/api/admin/users/{id}/", id: UUID().uuidString, token: admin.token).status == 404)
        #expect(try r.call(.patch, "/api/admin/users/{id}/", id: meID, json: ["role": "host"], token: admin.token).status == 200)
        #expect(try r.call(.patch, "/api/admin/users/{id}/", id: meID, json: ["role": "king"], token: admin.token).status == 400)

        // Conversations.
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let created = try r.call(.post, "/api/conversations/", json: Conversation(participant_ids: [bob.idString], title: "OpenAPI"), token: alice.token)
        #expect(created.status == 201)
        let conversation = try #require(created.object["conversation_id"] as? String)
        #expect(try r.call(.post, "/api/conversations/", json: Conversation(participant_ids: ["nope"]), token: alice.token).status == 400)

        // Messages.
        let first = try r.call(.post, "/api/conversations/{id}/messages/", id: conversation, json: Post(message_body: "first"), token: alice.token)
        #expect(first.status == 201)
        let firstID = try #require(first.object["message_id"] as? String)
        #expect(try r.call(.post, "/api/conversations/{id}/messages/", id: conversation, json: Post(message_body: "a reply", parent_message: firstID), token: bob.token).status == 201)
        let keyed = ["Idempotency-Key": UUID().uuidString]
        #expect(try r.call(.post, "/api/conversations/{id}/messages/", id: conversation, json: Post(message_body: "once"), token: alice.token, headers: keyed).status == 201)
        let replay = try r.call(.post, "/api/conversations/{id}/messages/", id: conversation, json: Post(message_body: "once"), token: alice.token, headers: keyed)
        #expect(replay.status == 201)
        #expect(replay.header("Idempotent-Replayed") == "true")
        #expect(try r.call(.post, "/api/conversations/{id}/messages/", id: conversation, json: Post(message_body: "twice"), token: alice.token, headers: keyed).status == 422)
        #expect(try r.call(.post, "/api/conversations/{id}/messages/", id: conversation, json: Post(message_body: "  "), token: alice.token).status == 400)
        #expect(try r.call(.post, "/api/conversations/{id}/messages/", id: conversation, json: Post(message_body: "hi"), token: guest.token).status == 403)
        #expect(try r.call(.post, "/api/conversations/{id}/messages/", id: UUID().uuidString, json: Post(message_body: "hi"), token: alice.token).status == 404)

        // Participants: the lines they write are in the message lists below.
        let dan = try h.makeUser()
        let participants = "/api/conversations/{id}/participants/"
        #expect(try r.call(.post, participants, id: conversation, json: AddParticipants(user_ids: [dan.idString]), token: alice.token).status == 200)
        #expect(try r.call(.post, participants, id: conversation, json: AddParticipants(user_ids: ["nope"]), token: alice.token).status == 400)
        #expect(try r.call(.post, participants, id: conversation, json: AddParticipants(user_ids: [dan.idString]), token: guest.token).status == 403)
        #expect(try r.call(.post, participants, id: UUID().uuidString, json: AddParticipants(user_ids: [dan.idString]), token: alice.token).status == 404)
        let participant = "/api/conversations/{id}/participants/{user_id}/"
        #expect(try r.call(.delete, participant, id: conversation, userID: alice.idString, token: bob.token).status == 403)
        #expect(try r.call(.delete, participant, id: conversation, userID: guest.idString, token: alice.token).status == 404)
        #expect(try r.call(.delete, participant, id: conversation, userID: dan.idString, token: alice.token).status == 204)
        #expect(try r.call(.delete, participant, id: conversation, userID: dan.idString).status == 401)

        let list = try r.call(.get, "/api/conversations/", token: alice.token)
        #expect(list.status == 200)
        let listTag = try #require(list.header("ETag"))
        #expect(try r.call(.get, "/api/conversations/", token: alice.token, headers: ["If-None-Match": listTag]).status == 304)
        #expect(try r.call(.get, "/api/conversations/{id}/", id: conversation, token: bob.token).status == 200)
        #expect(try r.call(.get, "/api/conversations/{id}/", id: conversation, token: guest.token).status == 403)
        #expect(try r.call(.get, "/api/conversations/{id}/messages/", id: conversation, query: "page_size=2", token: alice.token).status == 200)
        #expect(try r.call(.get, "/api/conversations/{id}/messages/", id: conversation, query: "after=\(firstID)&page_size=1", token: alice.token).status == 200)
        #expect(try r.call(.get, "/api/conversations/{id}/messages/", id: conversation, query: "ordering=sideways", token: alice.token).status == 400)
        #expect(try r.call(.get, "/api/conversations/{id}/messages/", id: conversation, query: "page=50", token: alice.token).status == 404)
        #expect(try r.call(.get, "/api/messages/", query: "conversation=\(conversation)&ordering=-sent_at&start_date=2020-01-01", token: bob.token).status == 200)
        #expect(try r.call(.get, "/api/messages/", query: "before=\(firstID)", token: bob.token).status == 200)
        #expect(try r.call(.get, "/api/messages/", query: "sender=nope", token: bob.token).status == 400)
        #expect(try r.call(.get, "/api/messages/{id}/", id: firstID, token: bob.token).status == 200)
        #expect(try r.call(.patch, "/api/messages/{id}/", id: firstID, json: Post(message_body: "first, edited"), token: alice.token).status == 200)
        #expect(try r.call(.patch, "/api/messages/{id}/", id: firstID, json: Post(message_body: "not mine"), token: bob.token).status == 403)
        #expect(try r.call(.get, "/api/messages/{id}/history/", id: firstID, token: bob.token).status == 200)
        let thread = try r.call(.get, "/api/messages/{id}/thread/", id: firstID, token: bob.token)
        #expect(thread.status == 200)
        #expect((thread.object["replies"] as? [Any])?.count == 1)

        // Notifications.
        let notifications = try r.call(.get, "/api/notifications/", query: "unread=true", token: bob.token)
        #expect(notifications.status == 200)
        let notification = try #require((notifications.object["results"] as? [[String: Any]])?.first?["notification_id"] as? String)
        #expect(try r.call(.get, "/api/notifications/", query: "unread=maybe", token: bob.token).status == 400)
        #expect(try r.call(.post, "/api/notifications/{id}/read/", id: notification, token: bob.token).status == 200)
        #expect(try r.call(.post, "/api/notifications/{id}/read/", id: notification, token: alice.token).status == 404)
        #expect(try r.call(.post, "/api/notifications/read-all/", token: bob.token).status == 200)
        #expect(try r.call(.post, "/api/conversations/{id}/read/", id: conversation, token: bob.token).status == 200)

        // Deleting.
        #expect(try r.call(.delete, "/api/messages/{id}/", id: firstID, token: bob.token).status == 403)
        #expect(try r.call(.delete, "/api/messages/{id}/", id: firstID, token: alice.token).status == 204)
        #expect(try r.call(.delete, "/api/conversations/{id}/", id: conversation, token: bob.token).status == 403)
        #expect(try r.call(.delete, "/api/conversations/{id}/", id: conversation, token: alice.token).status == 204)
        #expect(try r.call(.post, "/api/token/revoke/", json: ["refresh": fresh.refresh]).status == 204)
        let last = try h.login(name)
        #expect(try r.call(.delete, "/api/users/me/", token: last.access).status == 204)

        // The document itself.
        #expect(try r.call(.get, "/api/openapi.json").status == 200)

        // Throttled posting: 429 with Retry-After.
        let limited = OpenAPISampleRecorder(try messagingHarness { $0.messageRateLimit = 1 })
        let carol = try limited.harness.makeUser()
        let room = try limited.harness.conversation(carol, with: [])
        #expect(try limited.call(.post, "/api/conversations/{id}/messages/", id: room, json: Post(message_body: "one"), token: carol.token).status == 201)
        #expect(try limited.call(.post, "/api/conversations/{id}/messages/", id: room, json: Post(message_body: "two"), token: carol.token).status == 429)

        // All of them against the document.
        let document = OpenAPIFixture.get(h.application).body
        let documentFile = try OpenAPIPython.temporaryFile("openapi.json", document)
        let samplesFile = try OpenAPIPython.temporaryFile("samples.json", Array(try JSONSerialization.data(withJSONObject: r.samples + limited.samples)))
        let scriptFile = try OpenAPIPython.temporaryFile("check.py", Array(sampleChecker.utf8))
        defer { for file in [documentFile, samplesFile, scriptFile] { try? FileManager.default.removeItem(at: file) } }
        let result = try OpenAPIPython.run([scriptFile.path, documentFile.path, samplesFile.path])
        #expect(result.status == 0, "\(result.output)")
    }
}
