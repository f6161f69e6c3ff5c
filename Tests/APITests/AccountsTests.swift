import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Synchronization
import Testing
import Web

/// Registration and the signed-in user's own account, through the whole application.
@Suite("Accounts: registration and /api/users/me/", .enabled(if: TestEnvironment.runsIntegration))
struct AccountsTests {
    @Test("registration answers 201 with the user, role guest, an ISO 8601 created_at, and never the hash")
    func register() throws {
        let harness = try APIHarness()
        let username = uniqueName("reg")
        let response = try harness.register(username: username, phoneNumber: "+44 20 7946 0958")
        #expect(response.status == 201)
        let user = response.object
        #expect(user["username"] as? String == username)
        #expect(user["email"] as? String == "\(username)@example.com")
        #expect(user["first_name"] as? String == "Ada")
        #expect(user["last_name"] as? String == "Lovelace")
        #expect(user["phone_number"] as? String == "+44 20 7946 0958")
        #expect(user["role"] as? String == "guest")
        let created = try #require(user["created_at"] as? String)
        #expect(created.hasSuffix("Z") || created.contains("+"))
        let date = try #require(ISO8601.date(from: created))
        #expect(abs(date.timeIntervalSinceNow) < 60)
        #expect(Set(user.keys) == ["user_id", "username", "email", "first_name", "last_name", "phone_number", "role", "created_at"])
        #expect(!response.text.contains("argon2"))
        let id = try #require(response.userID)
        #expect(try harness.storedHash(id).hasPrefix("$argon2id$v=19$"))
    }

    @Test("without the trailing slash, POST works too; phone_number is null when not given")
    func registerWithoutSlash() throws {
        let harness = try APIHarness()
        let username = uniqueName("slash")
        let response = try harness.request(.post, "/api/register", json: [
            "username": username, "email": "\(username)@example.com", "password": "long enough password",
            "first_name": "No", "last_name": "Slash",
        ])
        #expect(response.status == 201)
        #expect(response.object.keys.contains("phone_number"))
        #expect(response.object["phone_number"] is NSNull)
    }

    @Test("missing fields are reported all at once, DRF-style")
    func missingFields() throws {
        let harness = try APIHarness()
        let response = try harness.request(.post, "/api/register/", json: [String: String]())
        #expect(response.status == 400)
        for field in ["username", "email", "password", "first_name", "last_name"] {
            #expect(response.errors(field) == ["This field is required."], "\(field)")
        }
        #expect(response.object["phone_number"] == nil)
        let malformed = try harness.request(.post, "/api/register/", body: Array("{".utf8), headers: ["Content-Type": "application/json"])
        #expect(malformed.status == 400)
        #expect(malformed.detail?.hasPrefix("JSON parse error") == true)
    }

    struct BadField: Sendable, CustomTestStringConvertible {
        let field: String
        let value: String
        let message: String
        var testDescription: String { "\(field): \(value.prefix(30))" }
    }

    @Test("invalid values are 400 with the field's message", arguments: [
        BadField(field: "email", value: "not-an-email", message: "Enter a valid email address."),
        BadField(field: "email", value: "a@b", message: "Enter a valid email address."),
        BadField(field: "email", value: "two@@example.com", message: "Enter a valid email address."),
        BadField(field: "email", value: "'; DROP TABLE users; --@example.com", message: "Enter a valid email address."),
        BadField(field: "password", value: "short", message: "This password is too short. It must contain at least 8 characters."),
        BadField(field: "password", value: "x7k9q2z", message: "This password is too short. It must contain at least 8 characters."),
        BadField(field: "password", value: String(repeating: "p", count: 4097), message: "Ensure this password has no more than 4096 bytes."),
        BadField(field: "password", value: String(repeating: "é", count: 2049), message: "Ensure this password has no more than 4096 bytes."),
        BadField(field: "username", value: "has space", message: "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."),
        BadField(field: "username", value: "'; DROP TABLE users; --", message: "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."),
        BadField(field: "username", value: "50%off", message: "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."),
        BadField(field: "username", value: "back\\slash", message: "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."),
        BadField(field: "username", value: String(repeating: "a", count: 151), message: "Ensure this field has no more than 150 characters."),
        BadField(field: "username", value: "   ", message: "This field may not be blank."),
        BadField(field: "first_name", value: "nul\u{0}byte", message: "Null characters are not allowed."),
        BadField(field: "first_name", value: "", message: "This field may not be blank."),
        BadField(field: "last_name", value: String(repeating: "x", count: 151), message: "Ensure this field has no more than 150 characters."),
        BadField(field: "phone_number", value: "call me maybe", message: "Enter a valid phone number."),
        BadField(field: "phone_number", value: "'; DROP TABLE users; --", message: "Enter a valid phone number."),
    ])
    func invalidField(_ bad: BadField) throws {
        let harness = try APIHarness()
        let username = uniqueName("bad")
        var body = ["username": username, "email": "\(username)@example.com", "password": "long enough password", "first_name": "A", "last_name": "B"]
        body[bad.field] = bad.value
        let response = try harness.request(.post, "/api/register/", json: body)
        #expect(response.status == 400)
        #expect(response.errors(bad.field) == [bad.message])
        #expect(response.object.count == 1, "only \(bad.field) is wrong: \(response.text)")
        #expect(try harness.count("SELECT count(*) FROM users") >= 0, "the users table is still there")
    }

    @Test("a username or email taken in another case is a field error from the unique index")
    func duplicates() throws {
        let harness = try APIHarness()
        let username = uniqueName("Dup")
        #expect(try harness.register(username: username).status == 201)
        let sameName = try harness.register(username: username.uppercased(), email: "\(uniqueName())@example.com")
        #expect(sameName.status == 400)
        #expect(sameName.errors("username") == ["A user with that username already exists."])
        let sameEmail = try harness.register(username: uniqueName(), email: "\(username)@EXAMPLE.com".uppercased())
        #expect(sameEmail.status == 400)
        #expect(sameEmail.errors("email") == ["A user with that email already exists."])
    }

    @Test("simultaneous registrations of one username: exactly one wins, the other gets the field error")
    func concurrentDuplicates() throws {
        let username = uniqueName("race")
        let statuses = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let response = try? APIHarness().register(username: username, email: "\(uniqueName())@example.com")
            statuses.withLock { $0.append(response?.status ?? 0) }
        }
        #expect(statuses.withLock { $0.sorted() } == [201, 400, 400, 400])
    }

    @Test("unicode round-trips, usernames are NFKC-normalised, text that looks like SQL stays data")
    func unicodeAndInjection() throws {
        let harness = try APIHarness()
        let username = "Zoë_日本_" + uniqueName("ü")
        let hostile = "'; DROP TABLE users; -- 100% _x_ \\ \" ' 👩‍💻"
        let response = try harness.register(
            username: username, email: "o'brien+\(uniqueName())@bücher.example", firstName: "Łukasz 👩‍💻", lastName: hostile)
        #expect(response.status == 201, "\(response.text)")
        let id = try #require(response.userID)
        let token = harness.accessToken(for: id)
        let me = try harness.request(.get, "/api/users/me/", token: token).object
        #expect(me["username"] as? String == username)
        #expect(me["first_name"] as? String == "Łukasz 👩‍💻")
        #expect(me["last_name"] as? String == hostile)
        #expect((me["email"] as? String)?.hasSuffix("@bücher.example") == true)
        let stored = try harness.database.read {
            try $0.query("SELECT last_name FROM users WHERE user_id = \(id)").first!.decode(String.self)
        }
        #expect(stored == hostile)

        let suffix = uniqueName("w")
        let fullwidth = try harness.register(username: "ｆｕｌｌ" + suffix, email: "\(suffix)@example.com")
        #expect(fullwidth.status == 201)
        #expect(fullwidth.object["username"] as? String == "full" + suffix)
    }

    @Test("GET /api/users/me/ needs a token")
    func meNeedsAuthentication() throws {
        let harness = try APIHarness()
        let response = try harness.request(.get, "/api/users/me/")
        #expect(response.status == 401)
        #expect(response.detail == "Authentication credentials were not provided.")
        #expect(try harness.request(.patch, "/api/users/me/", json: ["first_name": "x"]).status == 401)
        #expect(try harness.request(.delete, "/api/users/me/").status == 401)
    }

    @Test("PATCH /api/users/me/ changes the fields sent, validated; role is read-only; password is refused")
    func updateMe() throws {
        let harness = try APIHarness()
        let username = uniqueName("patch")
        let id = try #require(try harness.register(username: username, phoneNumber: "555 0100").userID)
        let token = harness.accessToken(for: id)
        let hostile = "%_\\'; DROP TABLE users; --"
        let updated = try harness.request(.patch, "/api/users/me/", json: ["first_name": "Grace", "last_name": hostile, "role": "admin"], token: token)
        #expect(updated.status == 200)
        #expect(updated.object["first_name"] as? String == "Grace")
        #expect(updated.object["last_name"] as? String == hostile)
        #expect(updated.object["phone_number"] as? String == "555 0100")
        #expect(updated.object["role"] as? String == "guest")

        let local = uniqueName("NEW")
        let cleared = try harness.request(.patch, "/api/users/me", body: Array(#"{"phone_number": null, "email": "\#(local)@Example.COM"}"#.utf8), token: token, headers: ["Content-Type": "application/json"])
        #expect(cleared.status == 200)
        #expect(cleared.object["phone_number"] is NSNull)
        #expect(cleared.object["email"] as? String == "\(local)@example.com")

        let bad = try harness.request(.patch, "/api/users/me/", json: ["email": "nope", "first_name": ""], token: token)
        #expect(bad.status == 400)
        #expect(bad.errors("email") == ["Enter a valid email address."])
        #expect(bad.errors("first_name") == ["This field may not be blank."])
        let nullName = try harness.request(.patch, "/api/users/me/", body: Array(#"{"username": null}"#.utf8), token: token, headers: ["Content-Type": "application/json"])
        #expect(nullName.errors("username") == ["This field may not be null."])
        let password = try harness.request(.patch, "/api/users/me/", json: ["password": "new password 123"], token: token)
        #expect(password.status == 400)
        #expect(password.errors("password") == ["The password cannot be changed here."])

        let other = uniqueName("taken")
        #expect(try harness.register(username: other).status == 201)
        let taken = try harness.request(.patch, "/api/users/me/", json: ["email": "\(other)@EXAMPLE.com", "username": other.uppercased()], token: token)
        #expect(taken.status == 400)
        #expect(!taken.errors("username").isEmpty || !taken.errors("email").isEmpty)

        let renamed = try harness.request(.patch, "/api/users/me/", json: ["username": username + "_2"], token: token)
        #expect(renamed.object["username"] as? String == username + "_2")
        let me = try harness.request(.get, "/api/users/me/", token: token)
        #expect(me.object["last_name"] as? String == hostile)
        #expect(me.object["username"] as? String == username + "_2")
    }

    @Test("DELETE /api/users/me/: 204, the row and its refresh tokens are gone, its tokens answer 401")
    func deleteMe() throws {
        let harness = try APIHarness()
        let username = uniqueName("del")
        let id = try #require(try harness.register(username: username).userID)
        let survivor = try harness.makeUser()
        let (access, refresh) = try harness.login(username)
        _ = try harness.login(username)
        #expect(try harness.count("SELECT count(*) FROM refresh_tokens WHERE user_id = \(id)") == 2)

        let deleted = try harness.request(.delete, "/api/users/me", token: access)
        #expect(deleted.status == 204)
        #expect(deleted.response.body.isEmpty)
        #expect(try harness.count("SELECT count(*) FROM users WHERE user_id = \(id)") == 0)
        #expect(try harness.count("SELECT count(*) FROM refresh_tokens WHERE user_id = \(id)") == 0)
        #expect(try harness.request(.get, "/api/users/me/", token: access).status == 401)
        #expect(try harness.request(.post, "/api/token/refresh/", json: ["refresh": refresh]).status == 401)
        #expect(try harness.request(.post, "/api/token/", json: ["username": username, "password": "correct horse battery"]).status == 401)
        #expect(try harness.request(.get, "/api/users/me/", token: survivor.token).status == 200)
    }
}

/// `GET /api/users/?search=`: finding people to talk to.
@Suite("Accounts: user search", .enabled(if: TestEnvironment.runsIntegration))
struct AccountsSearchTests {
    @Test("matches username or name, case-insensitively, every term; public fields only; DRF pages with absolute links")
    func searchAndPages() throws {
        let harness = try APIHarness()
        let marker = uniqueName("mk")
        for (index, first) in ["Anna", "Bert", "Cleo"].enumerated() {
            #expect(try harness.register(username: "\(marker)_\(index)", firstName: first, lastName: "Smith \(marker)").status == 201)
        }
        let other = try harness.register(username: uniqueName("other"), firstName: "Anna", lastName: "Jones")
        #expect(other.status == 201)
        let me = try harness.makeUser()

        let all = try harness.request(.get, "/api/users/?search=\(marker.uppercased())", token: me.token)
        #expect(all.status == 200)
        #expect(all.object["count"] as? Int == 3)
        #expect(all.object["next"] is NSNull)
        #expect(all.object["previous"] is NSNull)
        let results = try #require(all.object["results"] as? [[String: Any]])
        #expect(results.map { $0["username"] as? String } == ["\(marker)_0", "\(marker)_1", "\(marker)_2"])
        #expect(Set(results[0].keys) == ["user_id", "username", "first_name", "last_name"])

        let twoTerms = try harness.request(.get, "/api/users/?search=anna+\(marker)", token: me.token)
        #expect(twoTerms.object["count"] as? Int == 1)

        let first = try harness.request(.get, "/api/users/?search=\(marker)&page_size=2", token: me.token)
        #expect(first.object["count"] as? Int == 3)
        #expect(first.object["next"] as? String == "https://testserver/api/users/?search=\(marker)&page_size=2&page=2")
        let second = try harness.request(.get, "/api/users/?search=\(marker)&page_size=2&page=2", token: me.token)
        #expect((second.object["results"] as? [Any])?.count == 1)
        #expect(second.object["previous"] as? String == "https://testserver/api/users/?search=\(marker)&page_size=2")
        #expect(second.object["next"] is NSNull)

        for uri in ["/api/users/?search=\(marker)&page_size=2&page=3", "/api/users/?page=0", "/api/users/?page=abc"] {
            let past = try harness.request(.get, uri, token: me.token)
            #expect(past.status == 404, "\(uri)")
            #expect(past.detail == "Invalid page.")
        }
        let empty = try harness.request(.get, "/api/users/?search=\(uniqueName("nobody"))", token: me.token)
        #expect(empty.status == 200)
        #expect(empty.object["count"] as? Int == 0)

        let capped = try harness.request(.get, "/api/users/?page_size=1000", token: me.token)
        #expect((capped.object["results"] as? [Any]).map { $0.count <= 100 } == true)
        #expect(try harness.request(.get, "/api/users/?search=\(marker)").status == 401)
        let redirect = try harness.request(.get, "/api/users?search=\(marker)", token: me.token)
        #expect(redirect.status == 301)
        #expect(redirect.header("Location") == "/api/users/?search=\(marker)")
    }

    @Test("%, _ and \\ in a search are literal characters, not patterns; SQL in a search is data",
          arguments: ["%", "_", "\\", "'; DROP TABLE users; --"])
    func literalSearch(_ special: String) throws {
        let harness = try APIHarness()
        let marker = uniqueName("lit")
        #expect(try harness.register(username: uniqueName(), firstName: "has", lastName: "\(marker)a\(special)b").status == 201)
        #expect(try harness.register(username: uniqueName(), firstName: "has", lastName: "\(marker)aXb").status == 201)
        let me = try harness.makeUser()
        let query = URLEncodedForm(pairs: [("search", "\(marker)a\(special)b")]).encoded
        let response = try harness.request(.get, "/api/users/?\(query)", token: me.token)
        #expect(response.status == 200)
        #expect(response.object["count"] as? Int == 1)
        #expect(((response.object["results"] as? [[String: Any]])?.first?["last_name"] as? String) == "\(marker)a\(special)b")
        let nul = try harness.request(.get, "/api/users/?search=a%00b", token: me.token)
        #expect(nul.status == 400)
    }
}

/// The admin-only user management: the role gate and role changes.
@Suite("Accounts: admin", .enabled(if: TestEnvironment.runsIntegration))
struct AccountsAdminTests {
    @Test("anonymous 401, guest and host 403, admin 200 — on every admin route")
    func gate() throws {
        let harness = try APIHarness()
        let guest = try harness.makeUser(role: .guest)
        let host = try harness.makeUser(role: .host)
        let admin = try harness.makeUser(role: .admin)
        let target = try harness.makeUser()
        let routes: [(HTTPMethod, String, [String: String]?)] = [
            (.get, "/api/admin/users/", nil),
            (.get, "/api/admin/users/\(target.id)/", nil),
            (.patch, "/api/admin/users/\(target.id)/", ["role": "host"]),
        ]
        for (method, uri, body) in routes {
            #expect(try harness.request(method, uri, json: body).status == 401, "\(method) \(uri)")
            let forbidden = try harness.request(method, uri, json: body, token: guest.token)
            #expect(forbidden.status == 403, "\(method) \(uri)")
            #expect(forbidden.detail == "You do not have permission to perform this action.")
            #expect(try harness.request(method, uri, json: body, token: host.token).status == 403, "\(method) \(uri)")
            #expect(try harness.request(method, uri, json: body, token: admin.token).status == 200, "\(method) \(uri)")
        }
    }

    @Test("admins list users with full fields and change roles; bad roles, their own role and unknown ids are refused")
    func roles() throws {
        let harness = try APIHarness()
        let admin = try harness.makeUser(role: .admin)
        let target = try harness.makeUser(lastName: uniqueName("adm"))
        let list = try harness.request(.get, "/api/admin/users/?search=\(target.username)", token: admin.token)
        #expect(list.object["count"] as? Int == 1)
        let row = try #require((list.object["results"] as? [[String: Any]])?.first)
        #expect(row["email"] as? String == target.email)
        #expect(row["role"] as? String == "guest")

        let promoted = try harness.request(.patch, "/api/admin/users/\(target.id)", json: ["role": "host"], token: admin.token)
        #expect(promoted.status == 200)
        #expect(promoted.object["role"] as? String == "host")
        #expect(try harness.request(.get, "/api/users/me/", token: target.token).object["role"] as? String == "host")

        let invalid = try harness.request(.patch, "/api/admin/users/\(target.id)/", json: ["role": "superuser"], token: admin.token)
        #expect(invalid.status == 400)
        #expect(invalid.errors("role") == [#""superuser" is not a valid choice."#])
        #expect(try harness.request(.patch, "/api/admin/users/\(target.id)/", json: [String: String](), token: admin.token).errors("role") == ["This field is required."])
        let own = try harness.request(.patch, "/api/admin/users/\(admin.id)/", json: ["role": "guest"], token: admin.token)
        #expect(own.status == 400)
        #expect(try harness.request(.patch, "/api/admin/users/\(UUID())/", json: ["role": "host"], token: admin.token).status == 404)
        #expect(try harness.request(.get, "/api/admin/users/not-a-uuid/", token: admin.token).status == 404)
    }
}
