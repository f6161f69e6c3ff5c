import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Testing

/// `parley import-users`: the command itself, on the test database, as an operator runs it.
@Suite("Bulk: parley import-users", .enabled(if: TestEnvironment.runsIntegration))
struct UserImportCommandTests {
    struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    /// Runs `parley ARGUMENTS` with `stdin` piped in; the scratch directory is the working one.
    static func parley(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestEnvironment.parleyBinary)
        process.arguments = arguments + ["--log-level", "error"]
        process.currentDirectoryURL = URL(fileURLWithPath: try TestEnvironment.scratchDirectory)
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = try TestEnvironment.databaseURL
        // The cheapest cost OWASP allows: these tests hash a few passwords, not measure them.
        environment["PARLEY_PASSWORD_HASH_ITERATIONS"] = "2"
        environment["PARLEY_PASSWORD_HASH_MEMORY_KIB"] = "19456"
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes at once: a full stderr pipe would block the child.
        let err = ErrorsReader(errors.fileHandleForReading)
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), errors: err.text())
    }

    final class ErrorsReader: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)
        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }
        }
        func text() -> String {
            done.wait()
            return String(decoding: data, as: UTF8.self)
        }
    }

    static func file(_ name: String, _ text: String) throws -> String {
        let path = (try TestEnvironment.scratchDirectory as NSString).appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).csv")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("100,000 generated rows are imported in one run; the accounts cannot log in until set-password gives one a password")
    func hundredThousandRows() throws {
        // A database of its own: 100,000 more users would change the shared one's user pages
        // under the other tests.
        let scratch = try ScratchDatabase()
        defer { try? scratch.drop() }
        let prefix = uniqueName("bulk")
        var text = "last_name,first_name,email,username\n"
        text.reserveCapacity(100_000 * 64)
        for index in 0..<100_000 {
            text += "Last \(index),First,\(prefix)\(index)@Example.COM,\(prefix)\(index)\n"
        }
        let path = try Self.file("hundred-thousand", text)
        let run = try Self.parley(["import-users", path, "--quiet"], environment: ["DATABASE_URL": scratch.url])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("Created 100000 users from 100000 rows"))
        let count = try scratch.database.read { try $0.query("SELECT count(*) FROM users WHERE username LIKE \(prefix + "%")")[0].decode(Int.self) }
        #expect(count == 100_000)
        // Stored as sign-up stores them: the domain lowercased, a guest, no usable password.
        func row(_ username: String) throws -> (String, String, String, String) {
            try scratch.database.read { connection in
                try connection.query("SELECT email, role, last_name, password_hash FROM users WHERE username = \(username)")
                    .first!.decode((String, String, String, String).self)
            }
        }
        let last = try row(prefix + "99999")
        #expect(last.0 == "\(prefix)99999@example.com" && last.1 == "guest" && last.2 == "Last 99999")
        let hasher = PasswordHasher(parameters: .minimum, concurrency: 1, queueLimit: 0, waitTimeout: .seconds(10))
        #expect(try hasher.verify("", against: last.3) == false && hasher.verify("!", against: last.3) == false)

        let set = try Self.parley(["set-password", prefix + "7"], stdin: "a long new pässword 7\n", environment: ["DATABASE_URL": scratch.url])
        #expect(set.status == 0, "\(set.errors)")
        #expect(try hasher.verify("a long new pässword 7", against: try row(prefix + "7").3))
    }

    @Test("an imported account without a password cannot log in through the API; set-password lets it in")
    func noPasswordThenSetPassword() throws {
        let name = uniqueName("nopw")
        let run = try Self.parley(["import-users", "-", "--quiet"], stdin: "username,email,first_name,last_name\n\(name),\(name)@example.com,N,P\n")
        #expect(run.status == 0, "\(run.errors)")
        let harness = try APIHarness()
        #expect(try harness.request(.post, "/api/token/", json: ["username": name, "password": "!"]).status == 401)
        let set = try Self.parley(["set-password", name], stdin: "a long new pässword 8\n")
        #expect(set.status == 0, "\(set.errors)")
        _ = try harness.login(name, "a long new pässword 8")
    }

    @Test("rows with problems: each is named by file, line and field, nothing is imported, exit status 1")
    func problemsAreReported() throws {
        let taken = try APIHarness().makeUser()
        let p = uniqueName("bad")
        let path = try Self.file("problems", """
            username,email,first_name,last_name,role
            \(taken.username.uppercased()),\(p)a@example.com,A,A,
            \(p)b,not-an-email,B,B,king
            \(p)c,\(p)c@example.com,,C,
            \(p)d,\(p)C@EXAMPLE.com,D,D,
            bad name,\(p)e@example.com,E,E,
            \(p)f,\(p)f@example.com,F
            \(p)g,\(taken.email.uppercased()),G,G,
            \(p)h,\(p)h@example.com,\(String(repeating: "x", count: 151)),H,
            \(p)i,\(p)i@example.com,I,I,host
            """)
        let name = (path as NSString).lastPathComponent
        let run = try Self.parley(["import-users", path, "--quiet"])
        #expect(run.status == 1)
        let lines = run.errors.split(separator: "\n").map(String.init)
        let expected = [
            "\(path):2: username: A user with that username already exists.",
            "\(path):3: email: Enter a valid email address.",
            "\(path):3: role: \"king\" is not a valid choice: use guest, host or admin.",
            "\(path):4: first_name: This field may not be blank.",
            "\(path):5: email: The email of line 4 again (emails are compared ignoring case).",
            "\(path):6: username: Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
            "\(path):7: -: 3 fields where the header has 5",
            "\(path):8: email: A user with that email already exists.",
            "\(path):9: first_name: Ensure this field has no more than 150 characters.",
        ]
        #expect(Array(lines.prefix(expected.count)) == expected)
        #expect(lines.last == "9 problems in \(path); nothing was imported.", "\(name)")
        #expect(try APIHarness().count("SELECT count(*) FROM users WHERE username LIKE \(p + "%")") == 0)
    }

    @Test("more than 20 problems: the first 20 in line order, then the count")
    func firstTwentyThenCount() throws {
        let p = uniqueName("many")
        var text = "username,email,first_name,last_name\n"
        for index in 0..<30 { text += "\(p)\(index),nope\(index),F,L\n" }
        let path = try Self.file("many", text)
        let run = try Self.parley(["import-users", path, "--quiet"])
        #expect(run.status == 1)
        let lines = run.errors.split(separator: "\n")
        #expect(lines.count == 21)
        #expect(lines.first == "\(path):2: email: Enter a valid email address.")
        #expect(lines[19] == "\(path):21: email: Enter a valid email address.")
        #expect(lines.last == "30 problems in \(path) (10 not shown); nothing was imported.")
    }

    @Test("unknown columns fail naming them; a missing one is named; the usage errors exit 64")
    func header() throws {
        let unknown = try Self.parley(["import-users", "-"], stdin: "username,email,first_name,last_name,nickname,age\n")
        #expect(unknown.status == 1)
        #expect(unknown.errors.contains("<stdin>:1: unknown columns \"nickname\", \"age\""), "\(unknown.errors)")
        let missing = try Self.parley(["import-users", "-"], stdin: "username,email,first_name\n")
        #expect(missing.errors.contains("<stdin>:1: missing column last_name"), "\(missing.errors)")
        let absent = try Self.parley(["import-users", "/nonexistent/people.csv"])
        #expect(absent.status == 1)
        #expect(absent.errors.contains("/nonexistent/people.csv: No such file or directory"))
        let policy = try Self.parley(["import-users", "-", "--on-conflict", "maybe"], stdin: "")
        #expect(policy.status == 64)
        #expect(policy.errors.contains("--on-conflict must be fail, skip or update"))
    }

    @Test("--on-conflict skip keeps existing accounts; update overwrites them; --dry-run changes nothing")
    func conflicts() throws {
        let harness = try APIHarness()
        let existing = try harness.makeUser(role: .guest, firstName: "Old")
        let p = uniqueName("conf")
        let csv = """
            username,email,first_name,last_name,role,password
            \(existing.username.uppercased()),\(p)new@example.com,New,Name,host,
            \(p)x,\(p)x@example.com,X,Y,,a fine long password 1
            """
        let path = try Self.file("conflicts", csv)

        let failing = try Self.parley(["import-users", path, "--quiet"])
        #expect(failing.status == 1)
        #expect(failing.errors.contains("\(path):2: username: A user with that username already exists."))

        let dry = try Self.parley(["import-users", path, "--dry-run", "--on-conflict", "update", "--quiet"])
        #expect(dry.status == 0, "\(dry.errors)")
        #expect(dry.output.contains("Would create 1 user, update 1"), "\(dry.output)")
        #expect(try harness.count("SELECT count(*) FROM users WHERE username = \(p + "x")") == 0)

        let skipped = try Self.parley(["import-users", path, "--on-conflict", "skip", "--quiet"])
        #expect(skipped.status == 0, "\(skipped.errors)")
        #expect(skipped.output.contains("Created 1 user, skipped 1 existing"), "\(skipped.output)")
        #expect(try harness.count("SELECT count(*) FROM users WHERE user_id = \(existing.id) AND first_name = 'Old' AND role = 'guest'") == 1)
        _ = try harness.login(p + "x", "a fine long password 1")

        let updated = try Self.parley(["import-users", path, "--on-conflict", "update", "--quiet"])
        #expect(updated.status == 0, "\(updated.errors)")
        #expect(updated.output.contains("Created 0 users, updated 2"), "\(updated.output)")
        #expect(try harness.count("""
            SELECT count(*) FROM users WHERE user_id = \(existing.id) AND first_name = 'New' AND role = 'host'
               AND email = \(p + "new@example.com") AND username = \(existing.username)
            """) == 1)
    }

    @Test("--on-conflict update with a password: the new one logs in, and the account's API log-ins end")
    func updatedPasswordEndsLogins() throws {
        let harness = try APIHarness()
        let name = uniqueName("upd")
        #expect(try harness.register(username: name, password: "the old password 1").status == 201)
        let (_, refresh) = try harness.login(name, "the old password 1")
        let run = try Self.parley(["import-users", "-", "--on-conflict", "update", "--quiet"],
                                  stdin: "username,email,first_name,last_name,password\n\(name),\(name)@example.com,U,P,the new password 2\n")
        #expect(run.status == 0, "\(run.errors)")
        #expect(try harness.request(.post, "/api/token/refresh/", json: ["refresh": refresh]).status == 401)
        _ = try harness.login(name, "the new password 2")
    }

    @Test("a weak password is refused with the sign-up's words, and names its line")
    func weakPassword() throws {
        let p = uniqueName("weak")
        let run = try Self.parley(["import-users", "-", "--quiet"], stdin: "username,email,first_name,last_name,password\n\(p),\(p)@example.com,W,W,password\n")
        #expect(run.status == 1)
        #expect(run.errors.contains("<stdin>:2: password: This password is too common."), "\(run.errors)")
        #expect(!run.output.contains("password") || !run.output.contains("Created"))
    }
}
