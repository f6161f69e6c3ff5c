import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Testing
import Web

/// What schemathesis found where the OpenAPI document and the server disagreed, one test per
/// finding: the server's answer, and the document's rule checked against the server's own
/// check on the same inputs (a pattern that says more or less than the code is a finding).
@Suite("The document and the server agree (schemathesis findings)")
struct SchemaAgreementTests {
    static func matches(_ pattern: String, _ text: String) throws -> Bool {
        let regex = try NSRegularExpression(pattern: pattern)
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    // MARK: - page_size

    @Test("page_size that is not a positive whole number is a 400 naming it", arguments: [
        "null", "true", "", "0", "-1", "1.5", "abc", "2e1", " 5", "0x10",
    ])
    func pageSizeRefused(value: String) throws {
        let query = URLEncodedForm(pairs: [(name: "page_size", value: value)])
        let message = Int(value) != nil ? "Ensure this value is greater than or equal to 1." : "A valid integer is required."
        #expect(throws: HTTPError.validation(["page_size": [message]])) { try Pagination.pageSize(query) }
    }

    @Test("page_size is capped at the maximum, as DRF's max_page_size, and absent is the default", arguments: [
        ("1", 1), ("+5", 5), ("100", 100), ("101", 100), ("99999999999999999999999", 100),
    ])
    func pageSizeAccepted(value: String, size: Int) throws {
        #expect(try Pagination.pageSize(URLEncodedForm(pairs: [(name: "page_size", value: value)])) == size)
        #expect(try Pagination.pageSize(URLEncodedForm(pairs: [])) == Pagination.defaultPageSize)
    }

    @Test("every list answers page_size=null with the 400 its operation documents", .enabled(if: TestEnvironment.runsIntegration))
    func pageSizeThroughTheAPI() throws {
        let h = try messagingHarness()
        let alice = try h.makeUser()
        let lists = ["/api/conversations/", "/api/users/", "/api/notifications/", "/api/messages/",
                     "/api/messages/?after=0b9b2f1e-4f0c-4d8e-9a57-3f1c2d4e5a6b"]
        let document = try OpenAPIFixture.document(h.application)
        for list in lists {
            let separator = list.contains("?") ? "&" : "?"
            let response = try h.request(.get, list + separator + "page_size=null", token: alice.token)
            #expect(response.status == 400, "\(list)")
            #expect(response.fieldErrors("page_size") == ["A valid integer is required."], "\(list)")
            let path = String(list.prefix { $0 != "?" })
            let documented = ((document["paths"] as? [String: Any])?[path] as? [String: Any])?["get"] as? [String: Any]
            #expect((documented?["responses"] as? [String: Any])?["400"] != nil, "\(path) documents no 400")
        }
        let capped = try h.request(.get, "/api/users/?page_size=500", token: alice.token)
        #expect(capped.status == 200)
    }

    // MARK: - after / before

    @Test("after and before are one exploded object that may not have both; both are still a 400", .enabled(if: TestEnvironment.runsIntegration))
    func keysetExclusive() throws {
        let document = try OpenAPIFixture.document()
        let keyset = try #require(((document["components"] as? [String: Any])?["parameters"] as? [String: Any])?["Keyset"] as? [String: Any])
        #expect(keyset["in"] as? String == "query")
        #expect(keyset["style"] as? String == "form")
        #expect(keyset["explode"] as? Bool == true)
        let schema = try #require(keyset["schema"] as? [String: Any])
        #expect(Set((schema["properties"] as? [String: Any] ?? [:]).keys) == ["after", "before"])
        #expect((schema["not"] as? [String: Any])?["required"] as? [String] == ["after", "before"])
        // No operation also lists them as parameters of their own.
        let text = String(decoding: OpenAPIFixture.get(ParleyApplication.build(configuration: .testing())).body, as: UTF8.self)
        #expect(!text.contains(#""name":"after""#) && !text.contains(#""name":"before""#))

        let h = try messagingHarness()
        let alice = try h.makeUser()
        let bob = try h.makeUser()
        let id = try h.conversation(alice, with: [bob])
        let first = try h.post("one", in: id, as: alice)["message_id"] as! String
        let both = try h.request(.get, "/api/conversations/\(id)/messages/?after=\(first)&before=\(first)", token: alice.token)
        #expect(both.status == 400)
        #expect(both.detail == "Use either after or before, not both.")
        #expect(try h.request(.get, "/api/conversations/\(id)/messages/?after=\(first)", token: alice.token).status == 200)
    }

    // MARK: - message_body: null

    @Test("PATCH message_body null: the document says it cannot be null, and the server answers DRF's 400")
    func messageBodyNotNullable() throws {
        let document = try OpenAPIFixture.document()
        let update = try #require(((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?["MessageUpdate"] as? [String: Any])
        let body = try #require((update["properties"] as? [String: Any])?["message_body"] as? [String: Any])
        #expect(body["type"] as? String == "string", "a type list with null would allow null")
        #expect(body["anyOf"] == nil)
        // (The 400 itself: MessageTests' edit test.)
    }

    // MARK: - patterns against the server's own checks

    @Test("the phone pattern accepts exactly what registration accepts", arguments: [
        "", "   ", "+44 20 7946 0958", "(555) 123-4567", "1234", "123", "+1.555.123.4567", "  0123456789  ",
        "12345678901234567890", "123456789012345678901", "++1234", "12a34", "+", "1234+", "١٢٣٤٥",
        "\u{3000}1234\u{3000}", "\u{200b}1234", "\u{1c}1234", "12 34 56", "0000000000000000000000000000000",
    ])
    func phonePattern(text: String) throws {
        var validation = AccountValidation(configuration: AppConfiguration.testing().auth)
        let accepted = validation.phoneNumber(text) != nil
        let fitsLength = text.unicodeScalars.count <= 32
        #expect((try Self.matches(OpenAPISchemas.phonePattern, text) && fitsLength) == accepted, "\(text.debugDescription)")
    }

    @Test("the UUID pattern accepts exactly what the API reads as an id", arguments: [
        "0b9b2f1e-4f0c-4d8e-9a57-3f1c2d4e5a6b", "0B9B2F1E-4F0C-4D8E-9A57-3F1C2D4E5A6B", "", "0b9b2f1e4f0c4d8e9a573f1c2d4e5a6b",
        "0b9b2f1e-4f0c-4d8e-9a57-3f1c2d4e5a6", "0b9b2f1e-4f0c-4d8e-9a57-3f1c2d4e5a6bb", "{0b9b2f1e-4f0c-4d8e-9a57-3f1c2d4e5a6b}",
        "0g9b2f1e-4f0c-4d8e-9a57-3f1c2d4e5a6b",
    ])
    func uuidPattern(text: String) throws {
        #expect(try Self.matches(OpenAPISchemas.uuidPattern, text) == (UUID(apiString: text) != nil), "\(text)")
    }

    @Test("the not-blank patterns accept exactly what a message body and an account name may be", arguments: [
        "hi", " hi ", "", " ", "\t\n", "\u{3000}", "\u{85}", "a\u{0}b", "\u{0}", "\u{1c}", "\u{200b}", " \u{200b} ", "é",
    ])
    func notBlankPattern(text: String) throws {
        let accepted = (try? MessageService.checkText(text, field: "message_body", maxLength: 100, allowBlank: false)) != nil
        #expect(try Self.matches(OpenAPISchemas.notBlank, text) == accepted, "\(text.debugDescription)")
        // The account fields (first name, username, email) trim and then refuse blank and NUL alike.
        var validation = AccountValidation(configuration: AppConfiguration.testing().auth)
        let trimmedAccepted = validation.name(text, field: "first_name", allowBlank: false) != nil
        #expect(try Self.matches(OpenAPISchemas.notBlankTrimmed, text) == trimmedAccepted, "\(text.debugDescription)")
        var lastName = AccountValidation(configuration: AppConfiguration.testing().auth)
        let lastNameAccepted = lastName.name(text, field: "last_name", allowBlank: true) != nil
        #expect(try Self.matches(OpenAPISchemas.noNUL, text) == lastNameAccepted, "\(text.debugDescription)")
    }

    @Test("log-in requires username or email, as the document now says")
    func loginNeedsAnIdentifier() throws {
        let document = try OpenAPIFixture.document()
        let login = try #require(((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?["LoginRequest"] as? [String: Any])
        let anyOf = login["anyOf"] as? [[String: Any]] ?? []
        #expect(anyOf.compactMap { $0["required"] as? [String] } == [["username"], ["email"]])
    }

    /// schemathesis (make chaos, 25 examples): `{"email": "", …}` matched the document and got a
    /// 400. The document now says what the server reads: `username` when present, not blank;
    /// else `email`, not blank.
    @Test("a blank identifier is a 400 and outside the document; a blank email beside a username is read as the server reads it",
          .enabled(if: TestEnvironment.runsIntegration))
    func loginBlankIdentifiers() throws {
        let h = try messagingHarness()
        let document = try OpenAPIFixture.document(h.application)
        let login = try #require(((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?["LoginRequest"] as? [String: Any])
        let branches = login["anyOf"] as? [[String: Any]] ?? []
        /// Whether `body` satisfies one of the document's two branches (the rules they state).
        func documentAllows(_ body: [String: String]) -> Bool {
            branches.contains { branch in
                let required = branch["required"] as? [String] ?? []
                let properties = branch["properties"] as? [String: [String: Any]] ?? [:]
                let excluded = (branch["not"] as? [String: Any])?["required"] as? [String] ?? []
                return required.allSatisfy { body[$0] != nil }
                    && properties.allSatisfy { name, rule in (body[name]?.count ?? .max) >= (rule["minLength"] as? Int ?? 0) }
                    && !(excluded.allSatisfy { body[$0] != nil } && !excluded.isEmpty)
            }
        }
        for body in [["email": "", "password": "pw"], ["username": "", "password": "pw"], ["username": "", "email": "a@example.com", "password": "pw"]] {
            let response = try h.request(.post, "/api/token/", json: body)
            #expect(response.status == 400, "\(body)")
            #expect(!documentAllows(body), "\(body)")
        }
        let named = ["username": "nobody-\(UUID().uuidString.prefix(8))", "email": "", "password": "wrong password"]
        #expect(try h.request(.post, "/api/token/", json: named).status == 401)
        #expect(documentAllows(named))
    }
}
