import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Testing

/// Django's four default password validators, with Django's messages, every failing one at once.
@Suite("Accounts: Django's password validators")
struct PasswordPolicyTests {
    let policy = PasswordPolicy(minimumLength: 8, commonPasswords: .bundled)
    let ada = PasswordPolicy.Attributes(username: "ada_l", firstName: "Augusta", lastName: "Lovelace", email: "countess.lovelace@example.com")

    @Test("the shipped list is Django's, compared case-insensitively and trimmed")
    func commonList() throws {
        try CommonPasswordList.bundled.check()
        // Django's file has 20,000 lines but repeats some (qwerty, password…): 19,729 distinct.
        #expect(CommonPasswordList.bundled.count == 19_729)
        #expect(policy.problems("PASSWORD1", attributes: ada) == ["This password is too common."])
        #expect(policy.problems(" qwertyuiop ", attributes: ada) == ["This password is too common."])
        #expect(policy.problems("correct horse battery", attributes: ada) == [])
    }

    @Test("several rules fail at once, in Django's order")
    func several() {
        #expect(policy.problems("1234", attributes: ada) == [
            "This password is too short. It must contain at least 8 characters.",
            "This password is too common.",
            "This password is entirely numeric.",
        ])
        #expect(policy.problems("lovelace", attributes: ada) == ["The password is too similar to the last name."])
        #expect(policy.problems("abc", attributes: ada) == [
            "This password is too short. It must contain at least 8 characters.", "This password is too common.",
        ])
        #expect(policy.problems("٣٣٣٣٧٧٧٩٩٩", attributes: ada) == ["This password is entirely numeric."], "digits of any script, as Python's isdigit")
    }

    @Test("similar to an attribute, or to one word of it, as UserAttributeSimilarityValidator compares")
    func similarity() {
        #expect(policy.problems("ada_l2024", attributes: ada) == ["The password is too similar to the username."])
        #expect(policy.problems("augusta!!", attributes: ada) == ["The password is too similar to the first name."])
        #expect(policy.problems("countess99", attributes: ada) == ["The password is too similar to the email address."])
        // 2 × 5 shared / (10 + 5) = 0.67: just below Django's 0.7.
        #expect(policy.problems("ada_l2024!", attributes: ada) == [])
        // Much longer than the attribute: Django skips the comparison.
        #expect(policy.problems("ada_l and a great many other words", attributes: ada) == [])
        // difflib's quick_ratio, checked against Python: SequenceMatcher(a="abcd", b="bcde").quick_ratio() == 0.75
        #expect(PasswordPolicy.quickRatio(Array("abcd".unicodeScalars), Array("bcde".unicodeScalars)) == 0.75)
        #expect(PasswordPolicy.wordParts("countess.lovelace@example.com").map { String(String.UnicodeScalarView($0)) } == ["countess", "lovelace", "example", "com"])
    }

    @Test("the minimum length and the list are configurable; a list that cannot be read stops start-up")
    func configuration() throws {
        let base = ["PARLEY_JWT_SECRET": String(repeating: "k", count: 8) + UUID().uuidString + UUID().uuidString]
        let longer = try AuthConfiguration.fromEnvironment(base.merging(["PARLEY_PASSWORD_MIN_LENGTH": "12"]) { $1 })
        #expect(AccountValidation(configuration: longer).passwordPolicy.problems("horse battery", attributes: ada) == [])
        #expect(AccountValidation(configuration: longer).passwordPolicy.problems("horse batt", attributes: ada)
            == ["This password is too short. It must contain at least 12 characters."])
        let missing = "/nonexistent/\(UUID().uuidString).txt"
        #expect(throws: ConfigurationError.self) {
            try AuthConfiguration.fromEnvironment(base.merging(["PARLEY_COMMON_PASSWORDS_FILE": missing]) { $1 })
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("common-\(UUID().uuidString).txt")
        // An operator's list need not be lowercased or trimmed.
        try Data("  Hunter2Hunter2 \nswordfish42\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let own = try AuthConfiguration.fromEnvironment(base.merging(["PARLEY_COMMON_PASSWORDS_FILE": file.path]) { $1 })
        #expect(AccountValidation(configuration: own).passwordPolicy.problems("hunter2HUNTER2", attributes: ada) == ["This password is too common."])
        #expect(AccountValidation(configuration: own).passwordPolicy.problems("SwordFish42", attributes: ada) == ["This password is too common."])
        #expect(own.commonPasswords.count == 2)
    }
}

@Suite("Accounts: password validators through the API, the pages and the command line", .enabled(if: TestEnvironment.runsIntegration))
struct PasswordValidatorTests {
    @Test("sign-up through the API reports every failing validator in DRF's field-error shape, and creates nothing")
    func apiSignUp() throws {
        let harness = try APIHarness()
        let username = uniqueName("val")
        let numeric = try harness.register(username: username, password: "12345678")
        #expect(numeric.status == 400)
        #expect(numeric.errors("password") == ["This password is too common.", "This password is entirely numeric."])
        #expect(numeric.object.count == 1)
        let similar = try harness.register(username: username, password: username + "!")
        #expect(similar.errors("password") == ["The password is too similar to the username."])
        #expect(try harness.count("SELECT count(*) FROM users WHERE username = \(username)") == 0)
        #expect(try harness.register(username: username).status == 201)
    }

    @Test("the sign-up and password-change pages show the same messages")
    func pages() throws {
        let h = try APIHarness.pages()
        let browser = PageBrowser(h)
        let name = uniqueName("valp")
        let refused = try browser.signUp(name, password: "qwerty12")
        #expect(refused.status == 200)
        #expect(refused.text.contains("This password is too common."))
        #expect(try browser.signUp(name).status == 303)
        _ = try browser.get("/account")
        let change = try browser.post("/account/password", [
            ("current_password", "correct horse battery"), ("new_password", "11112222"), ("new_password_confirmation", "11112222"),
        ])
        #expect(change.status == 200)
        #expect(change.text.contains("This password is too common.") || change.text.contains("This password is entirely numeric."))
        #expect(change.text.contains("This password is entirely numeric."))
        #expect(try PageBrowser(h).logIn(name).status == 303, "the old password still works")
    }

    func setPassword(_ username: String, stdin: String) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestEnvironment.parleyBinary)
        process.arguments = ["set-password", username, "--log-level", "error"]
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = try TestEnvironment.databaseURL
        process.environment = environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test("parley set-password checks the password, replaces it, and ends the user's API log-ins")
    func commandLine() throws {
        let harness = try APIHarness()
        let username = uniqueName("setpw")
        #expect(try harness.register(username: username).status == 201)
        let before = try harness.login(username)

        let weak = try setPassword(username, stdin: "password\n")
        #expect(weak.status == 1)
        #expect(weak.errors.contains("This password is too common."))
        #expect(!weak.output.contains("password\n"))
        let unknown = try setPassword(uniqueName("nobody"), stdin: "a fine new secret\n")
        #expect(unknown.status == 1)
        #expect(unknown.errors.contains("There is no user named"))

        let set = try setPassword(username, stdin: "a fine new secret\n")
        #expect(set.status == 0, "\(set.errors)")
        #expect(set.output.contains("Password set for \(username)"))
        #expect(!set.output.contains("a fine new secret") && !set.errors.contains("a fine new secret"))
        #expect(try harness.request(.post, "/api/token/refresh/", json: ["refresh": before.refresh]).status == 401)
        #expect(throws: (any Error).self) { try harness.login(username) }
        #expect(try harness.login(username, "a fine new secret").access.isEmpty == false)
    }
}
