import Foundation
import ParleyTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The master and its worker processes, on the test server (`parley` plus test-only routes:
/// /__test/sleep, /__test/spin, /__test/trap), each test on its own socket.
@Suite("master and worker processes", .enabled(if: TestEnvironment.runsIntegration), .serialized)
struct SupervisorTests {
    /// Starts the test server: two processes of two threads unless told otherwise.
    func startServer(_ arguments: [String] = [], processes: Int = 2) throws -> (ChildProcess, String) {
        let socket = TestEnvironment.socketPath("sup")
        let child = try ChildProcess(
            executable: try TestEnvironment.require("PARLEY_TEST_SERVER_BIN"),
            arguments: ["serve", "--listen", socket, "--processes", "\(processes)", "--threads", "2"] + arguments,
            environment: ["DATABASE_URL": try TestEnvironment.databaseURL])
        try child.waitForSocket(socket)
        try waitUntil(timeout: 20) { try status(socket)["worker processes"] == "\(processes)" }
        return (child, socket)
    }

    func get(_ socket: String, _ uri: String) throws -> FastCGIClient.Response {
        try FastCGIClient(unixPath: socket).send(method: "GET", uri: uri, keepConnection: false)
    }

    /// The plain-text status page as a dictionary.
    func status(_ socket: String) throws -> [String: String] {
        let text = try get(socket, "/status").bodyText
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    func workerPIDs(of master: Int32) -> Set<Int32> {
        let text = (try? String(contentsOfFile: "/proc/\(master)/task/\(master)/children", encoding: .utf8)) ?? ""
        return Set(text.split(separator: " ").compactMap { Int32($0) })
    }

    /// Four threads sending GET /healthz on a new connection each, `requests` each or until
    /// `stop` is raised; counts answers that are not 200 (or none) as failures.
    func load(_ socket: String, requests: Int = .max, stop: Counter = Counter()) -> (successes: Counter, failures: Counter) {
        let failures = Counter()
        let successes = Counter()
        for _ in 0..<4 {
            Thread {
                var sent = 0
                while stop.value == 0, sent < requests {
                    sent += 1
                    if (try? FastCGIClient(unixPath: socket).send(method: "GET", uri: "/healthz", keepConnection: false).status) == 200 {
                        successes.add()
                    } else {
                        failures.add()
                    }
                }
            }.start()
        }
        return (successes, failures)
    }

    func waitUntil(timeout: TimeInterval, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            usleep(20_000)
        }
        throw TestEnvironmentError(message: "condition not met within \(timeout) s")
    }

    @Test("a request that traps costs its worker process only: others keep answering, /healthz is 200 within 1 s, the restart is counted")
    func trappingRequest() throws {
        let (server, socket) = try startServer()
        defer { server.terminate() }
        let before = workerPIDs(of: server.pid)
        #expect(before.count == 2)
        #expect(throws: (any Error).self) { _ = try get(socket, "/__test/trap") }
        let crashed = Date()
        try waitUntil(timeout: 1) { try get(socket, "/healthz").status == 200 }
        #expect(Date().timeIntervalSince(crashed) < 1)
        try waitUntil(timeout: 5) { workerPIDs(of: server.pid).count == 2 && workerPIDs(of: server.pid) != before }
        #expect(try status(socket)["worker restarts"] == "1")
        for _ in 0..<20 { #expect(try get(socket, "/healthz").status == 200) }
        #expect(server.standardError.contains("worker died while serving a request"))
        #expect(server.standardError.contains("path=/__test/trap"))
    }

    @Test("a worker killed while a thread waits for a request's params logs that thread as reading, not as a request with empty fields")
    func killedWhileReading() throws {
        let (server, socket) = try startServer()
        defer { server.terminate() }
        let before = workerPIDs(of: server.pid)
        // Half a BEGIN_REQUEST record: the thread that takes it waits for the rest.
        let client = try FastCGIClient(unixPath: socket)
        let partial: [UInt8] = [1, 1, 0, 1, 0, 8, 0, 0, 0, 1]
        _ = partial.withUnsafeBytes { write(client.fd, $0.baseAddress, $0.count) }
        try waitUntil(timeout: 5) { try status(socket)["active processes"].flatMap { Int($0) } ?? 0 >= 2 }
        for pid in before { kill(pid, SIGKILL) }
        try waitUntil(timeout: 10) { workerPIDs(of: server.pid).count == 2 && workerPIDs(of: server.pid).isDisjoint(with: before) }
        try waitUntil(timeout: 5) { server.standardError.contains("worker died while reading a request") }
        #expect(!server.standardError.contains("method=\"\""), "no request logged with an empty method")
        #expect(try get(socket, "/healthz").status == 200)
    }

    @Test("a crafted PARAMS record (the CVE-2025-23016 lengths) is refused before libfcgi reads it: no worker dies")
    func craftedParamsRecord() throws {
        let (server, socket) = try startServer()
        defer { server.terminate() }
        let before = workerPIDs(of: server.pid)
        let client = try FastCGIClient(unixPath: socket)
        try client.begin()
        // A PARAMS record whose name and value lengths are 0x7ffffffe each.
        let content: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFE] + Array(repeating: 0x41, count: 56)
        let record: [UInt8] = [1, 4, 0, 1, 0, UInt8(content.count), 0, 0] + content + [1, 4, 0, 1, 0, 0, 0, 0]
        _ = record.withUnsafeBytes { write(client.fd, $0.baseAddress, $0.count) }
        #expect((try? client.readSome(1)) == nil || (try? client.readSome(1))?.isEmpty == true, "the connection is closed unanswered")
        for _ in 0..<20 { #expect(try get(socket, "/healthz").status == 200) }
        #expect(workerPIDs(of: server.pid) == before)
        #expect(try status(socket)["worker restarts"] == "0")
        #expect(server.standardError.contains("request refused before libfcgi read it"))
    }

    @Test("bounded input: a peer stalling mid-record, 10,000 params, a short body are each closed or answered within the I/O timeout")
    func boundedInput() throws {
        let (server, socket) = try startServer(["--io-timeout", "2"])
        defer { server.terminate() }
        // Stalls in the middle of a PARAMS record: the connection is closed after the timeout.
        let stalled = try FastCGIClient(unixPath: socket)
        try stalled.begin()
        let partial: [UInt8] = [1, 4, 0, 1, 0, 100, 0, 0] + Array(repeating: 0x41, count: 10)
        _ = partial.withUnsafeBytes { write(stalled.fd, $0.baseAddress, $0.count) }
        let started = Date()
        let answer = try? stalled.readSome(1)
        #expect(answer == nil || answer?.isEmpty == true)
        #expect(Date().timeIntervalSince(started) < 4)

        // 10,000 params: refused and closed at once.
        let many = try FastCGIClient(unixPath: socket)
        var params = FastCGIClient.params(method: "GET", uri: "/healthz")
        for index in 0..<10_000 { params.append(("HTTP_X_\(index)", "v")) }
        try many.begin()
        try? many.sendParams(params)
        try? many.sendStdin([], end: true)
        #expect((try? many.readResponse()) == nil)

        // A body shorter than its Content-Length: 400, and the connection is not kept.
        let short = try FastCGIClient(unixPath: socket)
        try short.begin()
        try short.sendParams(FastCGIClient.params(method: "POST", uri: "/api/token/", headers: ["Content-Type": "application/json"], contentLength: 100))
        try short.sendStdin(Array("{}".utf8), end: true)
        let response = try short.readResponse()
        #expect(response.status == 400)
        #expect(response.bodyText.contains("shorter than its Content-Length"))
        #expect((try? short.send(method: "GET", uri: "/healthz")) == nil, "the connection was closed after the 400")

        // The workers are all still there and answer.
        for _ in 0..<8 { #expect(try get(socket, "/healthz").status == 200) }
        #expect(try status(socket)["worker restarts"] == "0")
    }

    @Test("kill -9 of one worker under load: only the requests it held fail, and it is replaced within 1 s")
    func killWorkerUnderLoad() throws {
        let (server, socket) = try startServer()
        defer { server.terminate() }
        let stop = Counter()
        let (successes, failures) = load(socket, stop: stop)
        usleep(500_000)
        let victim = try #require(workerPIDs(of: server.pid).first)
        kill(victim, SIGKILL)
        let killed = Date()
        try waitUntil(timeout: 1) { workerPIDs(of: server.pid).count == 2 && !workerPIDs(of: server.pid).contains(victim) }
        #expect(Date().timeIntervalSince(killed) < 1)
        let failedByTheKill = failures.value
        usleep(500_000)
        stop.add()
        usleep(200_000)
        #expect(successes.value > 100)
        // Only requests the killed process held fail: those its threads were serving and those it
        // had accepted into its epoll set, at most one per load client (4).
        #expect(failedByTheKill <= 4, "only the killed process's requests fail")
        #expect(failures.value == failedByTheKill, "nothing fails once the replacement is up")
    }

    @Test("a statement past --request-timeout is cancelled and answers 503 within the timeout plus 1 s")
    func requestTimeoutCancelsStatement() throws {
        let (server, socket) = try startServer(["--request-timeout", "1.5"])
        defer { server.terminate() }
        let started = Date()
        let response = try get(socket, "/__test/sleep?seconds=20")
        #expect(response.status == 503)
        #expect(response.header("Retry-After") != nil)
        #expect(Date().timeIntervalSince(started) < 2.5)
        #expect(try status(socket)["request timeouts"] == "1")
        #expect(server.standardError.contains("request timed out"))
        #expect(server.standardError.contains("SELECT pg_sleep"))
        #expect(try get(socket, "/healthz").status == 200)
    }

    @Test("a thread busy past the timeout and grace gets its worker replaced")
    func busyLoopReplacesWorker() throws {
        let (server, socket) = try startServer(["--request-timeout", "1"])
        defer { server.terminate() }
        let before = workerPIDs(of: server.pid)
        _ = try? get(socket, "/__test/spin?seconds=60")
        try waitUntil(timeout: 12) { workerPIDs(of: server.pid).count == 2 && workerPIDs(of: server.pid).intersection(before).count == 1 }
        #expect(try get(socket, "/healthz").status == 200)
        #expect(server.standardError.contains("killing a stuck worker") || server.standardError.contains("worker died"))
    }

    @Test("a slow request is logged with its phase and SQL text, never its binds")
    func slowLog() throws {
        let (server, socket) = try startServer(["--slow-request", "0.3"])
        defer { server.terminate() }
        #expect(try get(socket, "/__test/sleep?seconds=0.8").status == 200)
        try waitUntil(timeout: 2) { server.standardError.contains("slow request") }
        let line = try #require(server.standardError.split(separator: "\n").first { $0.contains("slow request") })
        #expect(line.contains("path=/__test/sleep"))
        #expect(line.contains("phase=database"))
        #expect(line.contains("sql="))
        #expect(try status(socket)["slow requests"] == "1")
    }

    @Test("SIGHUP under load: a new generation takes over, the old drains, no request fails", arguments: [false, true])
    func reloadUnderLoad(keepConnections: Bool) throws {
        let (server, socket) = try startServer()
        defer { server.terminate() }
        let failures = Counter()
        let successes = Counter()
        let stop = Counter()
        let threads = (0..<4).map { _ in
            Thread {
                var client: FastCGIClient?
                while stop.value == 0 {
                    do {
                        let connection = try client ?? FastCGIClient(unixPath: socket)
                        let response = try connection.send(method: "GET", uri: "/healthz", keepConnection: keepConnections)
                        client = keepConnections ? connection : nil
                        if response.status == 200 { successes.add() } else { failures.add() }
                    } catch {
                        // A kept connection the old generation closed while idle is what nginx
                        // retries on a new connection; a failure on a fresh one counts.
                        if client == nil { failures.add() }
                        client = nil
                    }
                }
            }
        }
        threads.forEach { $0.start() }
        for reload in 1...3 {
            let before = workerPIDs(of: server.pid)
            server.signal(SIGHUP)
            try waitUntil(timeout: 20) { workerPIDs(of: server.pid).count == 2 && workerPIDs(of: server.pid).isDisjoint(with: before) }
            #expect(try status(socket)["generation"] == "\(reload + 1)")
        }
        stop.add()
        usleep(200_000)
        #expect(successes.value > 100)
        #expect(failures.value == 0)
    }

    /// The worker processes of `master` that run a thread named `live-publisher`.
    func publishers(of master: Int32) -> Set<Int32> {
        workerPIDs(of: master).filter { pid in
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            return tasks.contains { task in
                (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/comm", encoding: .utf8))?.hasPrefix("live-publisher") == true
            }
        }
    }

    @Test("one worker process runs the live publisher: at start, after each of two reloads, and after that process is killed")
    func onePublisher() throws {
        let (server, socket) = try startServer()
        defer { server.terminate() }
        try waitUntil(timeout: 10) { publishers(of: server.pid).count == 1 }
        for reload in 1...2 {
            let before = workerPIDs(of: server.pid)
            server.signal(SIGHUP)
            try waitUntil(timeout: 20) { workerPIDs(of: server.pid).count == 2 && workerPIDs(of: server.pid).isDisjoint(with: before) }
            #expect(try status(socket)["generation"] == "\(reload + 1)")
            try waitUntil(timeout: 10) { publishers(of: server.pid).count == 1 }
        }
        let lead = try #require(publishers(of: server.pid).first)
        kill(lead, SIGKILL)
        try waitUntil(timeout: 10) { workerPIDs(of: server.pid).count == 2 && !workerPIDs(of: server.pid).contains(lead) }
        try waitUntil(timeout: 10) { publishers(of: server.pid).count == 1 }
        usleep(300_000)
        #expect(publishers(of: server.pid).count == 1)
    }

    /// Each thread's scheduling policy, from `/proc/PID/task/TID/sched` (0 SCHED_OTHER, 3 SCHED_BATCH).
    func schedulingPolicies(of pid: Int32) -> [Int] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { task in
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/sched", encoding: .utf8)) ?? ""
            let line = text.split(separator: "\n").first { $0.hasPrefix("policy") }
            return line.flatMap { Int($0.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") }
        }
    }

    @Test("every thread of the worker processes runs SCHED_BATCH by default, SCHED_OTHER with --cpu-scheduling-policy other; the master keeps the default")
    func cpuSchedulingPolicy() throws {
        for (arguments, expected) in [([String](), 3), (["--cpu-scheduling-policy", "other"], 0)] {
            let (server, socket) = try startServer(arguments)
            defer { server.terminate() }
            #expect(try get(socket, "/healthz").status == 200)
            let workers = workerPIDs(of: server.pid)
            #expect(workers.count == 2)
            // A worker counts as started before all its threads are: wait for the main thread,
            // the watchdog and the two epoll threads.
            try waitUntil(timeout: 10) { workers.allSatisfy { schedulingPolicies(of: $0).count >= 4 } }
            for worker in workers {
                let policies = schedulingPolicies(of: worker)
                #expect(policies.allSatisfy { $0 == expected }, "worker \(worker): \(policies)")
            }
            #expect(schedulingPolicies(of: server.pid).allSatisfy { $0 == 0 })
        }
    }

    /// The CPUs each thread of a process may run on (`/proc/PID/task/TID/status`).
    func allowedCPUs(of pid: Int32) -> [Set<Int>] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { FastCGITests.allowedCPUs(statusFile: "/proc/\(pid)/task/\($0)/status") }
    }

    /// Each process's CPU as `/status?full` names it (text), checked against `?json&full`: pid → "0", "1" or "any".
    func statusCPUs(_ socket: String) throws -> [Int32: String] {
        var cpus: [Int32: String] = [:]
        for entry in try get(socket, "/status?full").bodyText.components(separatedBy: "************************").dropFirst() {
            var fields: [String: String] = [:]
            for line in entry.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            if let pid = fields["pid"].flatMap({ Int32($0) }), let cpu = fields["cpu"] { cpus[pid] = cpu }
        }
        let json = try JSONSerialization.jsonObject(with: Data(get(socket, "/status?json&full").body)) as? [String: Any]
        for process in json?["processes"] as? [[String: Any]] ?? [] {
            guard let pid = (process["pid"] as? Int).map({ Int32($0) }) else { continue }
            let cpu = (process["cpu"] as? Int).map { "\($0)" } ?? (process["cpu"] is NSNull ? "any" : "missing")
            #expect(cpus[pid] == cpu, "pid \(pid): text \(cpus[pid] ?? "none"), JSON \(cpu)")
        }
        return cpus
    }

    @Test("one worker process per CPU: each bound to its own CPU with all its threads (the status page names it), a replacement to the CPU of the worker it replaces; unbound with --cpu-affinity off or more processes than CPUs")
    func cpuAffinity() throws {
        let cpus = try #require(allowedCPUs(of: getpid()).first)
        if (2...8).contains(cpus.count) {
            let (server, socket) = try startServer(processes: cpus.count)
            defer { server.terminate() }
            #expect(try get(socket, "/healthz").status == 200)
            let workers = workerPIDs(of: server.pid)
            // The main thread, the watchdog and the two epoll threads.
            try waitUntil(timeout: 10) { workers.allSatisfy { allowedCPUs(of: $0).count >= 4 } }
            var bound: [Int32: Int] = [:]
            for worker in workers {
                let sets = allowedCPUs(of: worker)
                let cpu = try #require(sets.first?.first)
                #expect(sets.allSatisfy { $0 == [cpu] }, "worker \(worker): \(sets)")
                bound[worker] = cpu
            }
            #expect(Set(bound.values) == cpus, "one worker per CPU: \(bound)")
            #expect(allowedCPUs(of: server.pid).allSatisfy { $0 == cpus }, "the master stays unbound")
            #expect(try statusCPUs(socket) == bound.mapValues { "\($0)" }, "the status page names each process's CPU")

            let victim = try #require(workers.first)
            kill(victim, SIGKILL)
            try waitUntil(timeout: 5) { workerPIDs(of: server.pid).count == cpus.count && !workerPIDs(of: server.pid).contains(victim) }
            let replacement = try #require(workerPIDs(of: server.pid).subtracting(workers).first)
            try waitUntil(timeout: 10) { allowedCPUs(of: replacement).count >= 4 }
            #expect(allowedCPUs(of: replacement).allSatisfy { $0 == [bound[victim]!] })
            try waitUntil(timeout: 5) { try statusCPUs(socket)[replacement] == "\(bound[victim]!)" }
        }
        for (arguments, processes) in [(["--cpu-affinity", "off"], max(2, cpus.count)), ([], cpus.count + 1)] {
            let (server, socket) = try startServer(arguments, processes: processes)
            defer { server.terminate() }
            #expect(try get(socket, "/healthz").status == 200)
            for worker in workerPIDs(of: server.pid) {
                #expect(allowedCPUs(of: worker).allSatisfy { $0 == cpus }, "\(arguments), \(processes) processes: worker \(worker) is unbound")
            }
            #expect(try Set(statusCPUs(socket).values) == ["any"])
        }
    }

    @Test("--max-requests recycles workers under load with no failed request")
    func recycling() throws {
        let (server, socket) = try startServer(["--max-requests", "50"])
        defer { server.terminate() }
        let before = workerPIDs(of: server.pid)
        // Enough requests that each process passes 50 (plus its jitter) even when the kernel
        // hands one of them most connections, as it does on a loaded machine.
        let (successes, failures) = load(socket, requests: 400)
        try waitUntil(timeout: 90) { successes.value + failures.value == 1600 }
        #expect(failures.value == 0)
        // Each process served hundreds of requests: both replaced at least once.
        try waitUntil(timeout: 10) { workerPIDs(of: server.pid).isDisjoint(with: before) && workerPIDs(of: server.pid).count == 2 }
        #expect(Int(try status(socket)["worker restarts"] ?? "") ?? 0 >= 2)
        #expect(server.standardError.contains("max-requests"))
    }

    @Test("systemd: READY=1 once the workers serve, RELOADING=1 then READY=1 around a reload, STATUS=, WATCHDOG=1, STOPPING=1")
    func systemdNotifications() throws {
        let path = TestEnvironment.socketPath("notify")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd); unlink(path) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var messages: [String] = []
        func collect(until condition: () -> Bool, seconds: Double = 20) {
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !condition(), Date() < deadline {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count > 0 { messages.append(String(decoding: buffer[0..<count], as: UTF8.self)) }
            }
        }
        let socketPath = TestEnvironment.socketPath("sup")
        let server = try ChildProcess(
            executable: try TestEnvironment.require("PARLEY_TEST_SERVER_BIN"),
            arguments: ["serve", "--listen", socketPath, "--processes", "2", "--threads", "1"],
            environment: ["DATABASE_URL": try TestEnvironment.databaseURL, "NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"])
        defer { server.terminate() }
        collect(until: { messages.contains { $0.hasPrefix("READY=1") } })
        #expect(messages.contains { $0.hasPrefix("READY=1") })
        #expect(try get(socketPath, "/healthz").status == 200, "READY=1 means the workers serve")
        collect(until: { messages.contains("WATCHDOG=1") && messages.contains { $0.hasPrefix("STATUS=") && $0.contains("requests/s") } })
        #expect(messages.contains("WATCHDOG=1"))
        #expect(messages.contains { $0.hasPrefix("STATUS=2 worker processes") })
        // A tick that has counted some requests, so that the old generation's leave the sum.
        for _ in 0..<5 { _ = try get(socketPath, "/healthz") }
        messages.removeAll()
        collect(until: { messages.contains { $0.hasPrefix("STATUS=") } })
        messages.removeAll()
        server.signal(SIGHUP)
        collect(until: { messages.contains { $0.hasPrefix("READY=1") } })
        let reloading = messages.firstIndex { $0.hasPrefix("RELOADING=1") }
        let ready = messages.firstIndex { $0.hasPrefix("READY=1") }
        #expect(reloading != nil && ready != nil && reloading! < ready!)
        // The new generation has served nothing yet: the rate counts from there, and the master
        // goes on (the old generation's counts leaving the sum once wrapped it and trapped it).
        let afterReload = messages.count
        collect(until: { messages[afterReload...].contains { $0.hasPrefix("STATUS=2 worker processes") } })
        #expect(messages[afterReload...].contains { $0.hasPrefix("STATUS=2 worker processes") })
        #expect(try get(socketPath, "/healthz").status == 200)
        server.signal(SIGTERM)
        collect(until: { messages.contains("STOPPING=1") })
        #expect(messages.contains("STOPPING=1"))
        #expect(server.waitForExit(timeout: 15) == 0)
    }

    @Test("parley status prints the status page read from the socket, without nginx")
    func statusCommand() throws {
        let (server, socket) = try startServer()
        defer { server.terminate() }
        for (flags, expected) in [([String](), "accepted conn:"), (["--json"], "\"accepted conn\":"), (["--openmetrics"], "# EOF"), (["--ping"], "pong")] {
            let child = try ChildProcess(executable: try TestEnvironment.parleyBinary, arguments: ["status", "--listen", socket] + flags, captureStandardOutput: true)
            #expect(child.waitForExit(timeout: 15) == 0)
            try? waitUntil(timeout: 2) { child.standardOutput.contains(expected) }
            #expect(child.standardOutput.contains(expected), "parley status \(flags)")
        }
    }

    @Test("the status formats parse and /ping answers pong")
    func statusFormats() throws {
        let (server, socket) = try startServer()
        defer { server.terminate() }
        #expect(try get(socket, "/ping").bodyText == "pong\n")
        #expect(try get(socket, "/healthz").status == 200)
        let json = try get(socket, "/status?json&full")
        #expect(json.header("Content-Type") == "application/json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: Any])
        #expect(object["pool"] as? String == "parley")
        #expect(object["total processes"] as? Int == 4)
        #expect((object["processes"] as? [[String: Any]])?.count == 4)
        let metrics = try get(socket, "/status?openmetrics")
        #expect(metrics.header("Content-Type")?.hasPrefix("application/openmetrics-text; version=1.0.0") == true)
        #expect(metrics.bodyText.hasSuffix("# EOF\n"))
        #expect(metrics.bodyText.contains("parley_requests_total{route=\"/healthz\",method=\"GET\",status=\"2xx\"} 1\n"))
        // Prometheus' own parser (the prometheus_client package `make test` installs).
        let parsed = try runPython(Self.openMetricsParser, input: metrics.body)
        #expect(parsed.status == 0, "\(parsed.output)")
        #expect(parsed.output.contains("parley_requests counter"))
        #expect(parsed.output.contains("parley_request_duration_seconds histogram"))
        #expect(parsed.output.contains("parley_process_resident_memory_bytes gauge"))
    }

    static let openMetricsParser = """
        import sys
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
        for family in text_string_to_metric_families(sys.stdin.read()):
            print(family.name, family.type, len(family.samples))
        """

    func runPython(_ script: String, input: [UInt8]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [TestEnvironment.values["PARLEY_TEST_PYTHON"] ?? "python3", "-c", script]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
