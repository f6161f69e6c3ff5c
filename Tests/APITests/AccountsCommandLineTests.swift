import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Testing

/// `parley createuser`: the first admin from the command line, without a prompt.
@Suite("Accounts: parley createuser", .enabled(if: TestEnvironment.runsIntegration))
struct AccountsCommandLineTests {
    struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    func createuser(_ arguments: [String], stdin: String?, environment extra: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestEnvironment.parleyBinary)
        process.arguments = ["createuser", "--log-level", "error"] + arguments
        var environment = ProcessInfo.processInfo.environment.filter { $0.key != "PARLEY_ADMIN_PASSWORD" }
        environment["DATABASE_URL"] = try TestEnvironment.databaseURL
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), errors: String(decoding: err, as: UTF8.self))
    }

    @Test("--admin with --password-stdin makes an admin who can log in and manage users; the password is never printed")
    func createAdmin() throws {
        let username = uniqueName("root")
        let password = "s3cret admin pässword"
        let run = try createuser(["--admin", "--username", username, "--email", "\(username)@example.com", "--password-stdin"], stdin: password + "\n")
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("Created admin \(username)"))
        #expect(!run.output.contains(password) && !run.errors.contains(password))

        let harness = try APIHarness()
        let (access, _) = try harness.login(username, password)
        #expect(try harness.request(.get, "/api/users/me/", token: access).object["role"] as? String == "admin")
        #expect(try harness.request(.get, "/api/admin/users/", token: access).status == 200)

        let again = try createuser(["--admin", "--username", username.uppercased(), "--email", "\(uniqueName())@example.com"], stdin: nil,
                                   environment: ["PARLEY_ADMIN_PASSWORD": password])
        #expect(again.status == 1)
        #expect(again.errors.contains("username: A user with that username already exists."))
        #expect(!again.errors.contains(password))
    }

    @Test("without a password, or with a weak one, nothing is created")
    func refusals() throws {
        let username = uniqueName("nopw")
        let none = try createuser(["--username", username, "--email", "\(username)@example.com"], stdin: nil)
        #expect(none.status != 0)
        #expect(none.errors.contains("PARLEY_ADMIN_PASSWORD"))
        let weak = try createuser(["--username", username, "--email", "\(username)@example.com", "--password-stdin"], stdin: "short\n")
        #expect(weak.status == 1)
        #expect(weak.errors.contains("password: This password is too short."))
        let harness = try APIHarness()
        #expect(try harness.count("SELECT count(*) FROM users WHERE username = \(username)") == 0)
    }
}
