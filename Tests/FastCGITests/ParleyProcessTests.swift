import Foundation
import ParleyTesting
import Testing

/// The real `parley serve` binary, started as a process on its own socket.
@Suite("parley serve process", .enabled(if: TestEnvironment.runsIntegration))
struct ParleyProcessTests {
    @Test("SIGTERM with a request in flight: the request completes and parley exits 0")
    func sigtermDuringRequest() throws {
        let (parley, socket) = try startParley()
        defer { parley.terminate() }
        let client = try FastCGIClient(unixPath: socket)
        // Begin a request and leave its body unfinished, so it is in flight at the signal.
        try client.begin()
        try client.sendParams(FastCGIClient.params(method: "GET", uri: "/healthz", contentLength: 4))
        try client.sendStdin(Array("ab".utf8), end: false)
        usleep(200_000)
        parley.signal(SIGTERM)
        usleep(200_000)
        try client.sendStdin(Array("cd".utf8), end: true)
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.bodyText.contains("\"status\":\"ok\""))
        #expect(parley.waitForExit(timeout: 15) == 0)
        #expect(!FileManager.default.fileExists(atPath: socket))
        #expect(parley.standardError.contains("stopped"))
    }

    @Test("SIGINT on an idle server exits 0 promptly")
    func sigintIdle() throws {
        let (parley, socket) = try startParley()
        defer { parley.terminate() }
        let client = try FastCGIClient(unixPath: socket)
        #expect(try client.send(method: "GET", uri: "/healthz").status == 200)
        parley.signal(SIGINT)
        #expect(parley.waitForExit(timeout: 15) == 0)
    }

    @Test("health, the API and the pages answer 503 with Retry-After when PostgreSQL cannot be reached, and the error does not leak")
    func healthWithoutDatabase() throws {
        let (parley, socket) = try startParley(environment: ["DATABASE_URL": "postgresql:///nowhere?host=/nonexistent-dir&connect_timeout=1"])
        defer { parley.terminate() }
        let response = try FastCGIClient(unixPath: socket).send(method: "GET", uri: "/healthz")
        #expect(response.status == 503)
        #expect(!response.bodyText.contains("nonexistent"))
        #expect(response.bodyText.contains("unavailable"))

        // Any route that needs the database: a 503 that says to retry, not a 500, API and pages.
        let client = try FastCGIClient(unixPath: socket)
        let login = try client.send(
            method: "POST", uri: "/api/token/", headers: ["Content-Type": "application/json"],
            body: Array(#"{"username":"ada","password":"correct horse battery"}"#.utf8))
        #expect(login.status == 503)
        #expect(login.header("Retry-After") == "2")
        #expect(login.bodyText.contains("try again") && !login.bodyText.contains("nonexistent"))
        // A page with a session cookie: the session is looked up in the database.
        let page = try FastCGIClient(unixPath: socket).send(method: "GET", uri: "/inbox", headers: ["Cookie": "__Host-parley_session=" + String(repeating: "A", count: 43)])
        #expect(page.status == 503)
        #expect(page.header("Retry-After") == "2")
        #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
    }

    @Test("listens on a loopback TCP address")
    func tcpListen() throws {
        // Below the kernel's ephemeral range (32768–60999), where the suites' load tests leave
        // thousands of local ports in use; a port that is taken anyway makes parley exit, and
        // the next one is tried.
        var child: ChildProcess?
        var client: FastCGIClient?
        for _ in 0..<5 where client == nil {
            let port = UInt16.random(in: 20000..<32768)
            let attempt = try ChildProcess(
                executable: try TestEnvironment.parleyBinary,
                arguments: ["serve", "--listen", "127.0.0.1:\(port)", "--processes", "1", "--threads", "1"],
                environment: ["DATABASE_URL": try TestEnvironment.databaseURL]
            )
            let deadline = Date().addingTimeInterval(20)
            while client == nil, Date() < deadline, attempt.isRunning {
                client = try? FastCGIClient(host: "127.0.0.1", port: port)
                if client == nil { usleep(20_000) }
            }
            if client == nil { attempt.terminate() } else { child = attempt }
        }
        let connected = try #require(client)
        let server = try #require(child)
        defer { server.terminate() }
        #expect(try connected.send(method: "GET", uri: "/healthz").status == 200)
        server.signal(SIGTERM)
        #expect(server.waitForExit(timeout: 15) == 0)
    }

    @Test("serves a listening socket inherited on fd 0, as spawn-fcgi and systemd pass it")
    func inheritedSocket() throws {
        let path = TestEnvironment.socketPath("inherited")
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(bound == 0)
        #expect(listen(fd, 16) == 0)
        defer { unlink(path) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestEnvironment.parleyBinary)
        process.arguments = ["serve", "--processes", "1", "--threads", "1"]  // no --listen: fd 0 is a listening socket
        process.environment = ProcessInfo.processInfo.environment.merging(["DATABASE_URL": try TestEnvironment.databaseURL]) { $1 }
        process.standardInput = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let response = try FastCGIClient(unixPath: path).send(method: "GET", uri: "/healthz")
        #expect(response.status == 200)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // The inherited socket was not shut down: it still accepts connections for the next instance.
        #expect((try? FastCGIClient(unixPath: path)) != nil)
    }

    @Test("serve --check passes on the test stack's settings and database")
    func checkPasses() throws {
        let child = try ChildProcess(
            executable: try TestEnvironment.parleyBinary, arguments: ["serve", "--check", "--listen", "/tmp/unused.sock"],
            environment: ["DATABASE_URL": try TestEnvironment.databaseURL], captureStandardOutput: true)
        #expect(child.waitForExit(timeout: 30) == 0)
        usleep(200_000)
        #expect(child.standardOutput.contains("processes × 2 threads, "))
        #expect(child.standardOutput.contains("ok      templates"))
        #expect(child.standardOutput.contains("ok      migrations: all"))
        #expect(child.standardOutput.contains("the configuration is valid"))
    }

    @Test("serve --check names the CPUs the worker processes will be bound to, or that they will not be")
    func checkNamesTheBinding() throws {
        // The CPUs this test may run on, which parley reads too.
        let cpus = try #require(allowedCPUs(statusFile: "/proc/self/status")).sorted()
        try #require(!cpus.isEmpty)
        let bound = (2...64).contains(cpus.count)
        for (arguments, expected) in [
            (["--processes", "\(cpus.count)"], bound ? "each bound to one of CPUs \(cpus.map(String.init).joined(separator: ","))" : "not bound to CPUs"),
            (["--processes", "\(cpus.count)", "--cpu-affinity", "off"], "not bound to CPUs"),
            (["--processes", "\(min(64, cpus.count + 1))"], "not bound to CPUs"),
        ] {
            let child = try ChildProcess(
                executable: try TestEnvironment.parleyBinary, arguments: ["serve", "--check", "--listen", "/tmp/unused.sock"] + arguments,
                environment: ["DATABASE_URL": try TestEnvironment.databaseURL], captureStandardOutput: true)
            #expect(child.waitForExit(timeout: 30) == 0)
            usleep(200_000)
            #expect(child.standardOutput.contains(expected), "\(arguments): \(child.standardOutput)")
        }
    }

    @Test("serve --check fails, saying what is wrong, when the database cannot be reached")
    func checkFails() throws {
        let child = try ChildProcess(
            executable: try TestEnvironment.parleyBinary, arguments: ["serve", "--check", "--listen", "/tmp/unused.sock"],
            environment: ["DATABASE_URL": "postgresql:///nowhere?host=/nonexistent-dir&connect_timeout=1"], captureStandardOutput: true)
        let status = child.waitForExit(timeout: 30)
        #expect(status != nil && status != 0)
        usleep(200_000)
        #expect(child.standardOutput.contains("FAILED  database connection"))
        #expect(child.standardOutput.contains("1 problem"))
    }

    @Test("bad flags fail with a message that says what is wrong", arguments: [
        (["serve", "--listen", "nonsense"], "Cannot read --listen"),
        (["serve", "--socket-mode", "0666", "--listen", "/tmp/x.sock"], "world-writable"),
        (["serve", "--workers", "4", "--listen", "/tmp/x.sock"], "use --processes N"),
        (["serve", "--processes", "0", "--listen", "/tmp/x.sock"], "--processes must be between"),
        (["serve", "--request-timeout", "nan", "--listen", "/tmp/x.sock"], "--request-timeout must be between"),
        (["serve", "--cpu-scheduling-policy", "fifo", "--listen", "/tmp/x.sock"], "--cpu-scheduling-policy must be batch or other"),
        (["serve", "--cpu-affinity", "always", "--listen", "/tmp/x.sock"], "--cpu-affinity must be auto or off"),
    ])
    func badFlags(arguments: [String], message: String) throws {
        let child = try ChildProcess(executable: try TestEnvironment.parleyBinary, arguments: arguments, environment: ["DATABASE_URL": "postgresql:///x"])
        let status = child.waitForExit(timeout: 15)
        #expect(status != nil && status != 0)
        #expect(child.standardError.contains(message))
    }
}
