import FastCGI
import Foundation
import ParleyTesting
import Testing

/// The responder against a real unix socket, speaking the FastCGI wire protocol as nginx does.
@Suite("FastCGI server, in process")
struct FastCGIServerTests {
    @Test("a request gets a CGI response with status, length and a request id")
    func simpleRequest() throws {
        let server = try InProcessServer()
        defer { server.stop() }
        let client = try FastCGIClient(unixPath: server.socket)
        let response = try client.send(method: "GET", uri: "/hello")
        #expect(response.status == 200)
        #expect(response.bodyText == "hello")
        #expect(response.header("Content-Length") == "5")
        #expect(response.header("X-Request-Id")?.count == 32)
        #expect(response.protocolStatus == 0)
    }

    @Test("a kept connection serves request after request, and 404/405 come from the router")
    func keptConnection() throws {
        let server = try InProcessServer()
        defer { server.stop() }
        let client = try FastCGIClient(unixPath: server.socket)
        for _ in 0..<5 {
            #expect(try client.send(method: "GET", uri: "/hello").bodyText == "hello")
        }
        #expect(try client.send(method: "GET", uri: "/missing").status == 404)
        let wrongMethod = try client.send(method: "DELETE", uri: "/hello")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "GET, HEAD")
        #expect(try client.send(method: "GET", uri: "/hello").bodyText == "hello")
    }

    @Test("responses of every size arrive whole on a kept connection, up to the end of the request")
    func responseSizes() throws {
        let server = try InProcessServer()
        defer { server.stop() }
        let client = try FastCGIClient(unixPath: server.socket)
        for size in [0, 1, 8_000, 8_300, 65_400, 65_536, 300_000] {
            let response = try client.send(method: "GET", uri: "/big?size=\(size)")
            #expect(response.status == 200)
            #expect(response.body.count == size && response.body.allSatisfy { $0 == UInt8(ascii: "x") })
            #expect(response.header("Content-Length") == String(size))
            #expect(response.protocolStatus == 0)
        }
        #expect(try client.send(method: "GET", uri: "/hello").bodyText == "hello")
    }

    @Test("a 5 MB body arrives whole")
    func largeBody() throws {
        let server = try InProcessServer()
        defer { server.stop() }
        var body = [UInt8](repeating: 0, count: 5 * 1024 * 1024)
        for index in body.indices { body[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
        let client = try FastCGIClient(unixPath: server.socket)
        let response = try client.send(method: "POST", uri: "/echo", body: body)
        #expect(response.status == 200)
        #expect(response.header("X-Body-Length") == String(body.count))
        #expect(response.body == body)
    }

    @Test("a body over the limit gets 413 without being read, and the connection stays usable")
    func bodyOverLimit() throws {
        let server = try InProcessServer(maxBodySize: 1024)
        defer { server.stop() }
        let client = try FastCGIClient(unixPath: server.socket)
        let html = try client.send(method: "POST", uri: "/echo", body: [UInt8](repeating: 65, count: 4096))
        #expect(html.status == 413)
        #expect(html.header("Content-Type")?.hasPrefix("text/html") == true)
        let json = try client.send(method: "POST", uri: "/api/echo", body: [UInt8](repeating: 65, count: 4096))
        #expect(json.status == 413)
        #expect(json.bodyText.contains("\"detail\""))
        let within = try client.send(method: "POST", uri: "/echo", body: [UInt8](repeating: 66, count: 1024))
        #expect(within.status == 200)
        #expect(within.body.count == 1024)
    }

    @Test("a body over the limit is refused even without CONTENT_LENGTH")
    func bodyOverLimitWithoutLength() throws {
        let server = try InProcessServer(maxBodySize: 1000)
        defer { server.stop() }
        let client = try FastCGIClient(unixPath: server.socket)
        try client.begin()
        try client.sendParams(FastCGIClient.params(method: "POST", uri: "/echo"))
        try client.sendStdin([UInt8](repeating: 1, count: 3000), end: true)
        #expect(try client.readResponse().status == 413)
    }

    @Test("a client that hangs up mid-response does not hurt the server")
    func clientDisconnectsMidResponse() throws {
        let server = try InProcessServer(workers: 1)
        defer { server.stop() }
        for _ in 0..<3 {
            let client = try FastCGIClient(unixPath: server.socket)
            try client.begin()
            try client.sendParams(FastCGIClient.params(method: "GET", uri: "/big?size=20000000"))
            try client.sendStdin([], end: true)
            let first = try client.readSome(4096)
            #expect(!first.isEmpty)
            client.close()
        }
        let next = try FastCGIClient(unixPath: server.socket)
        #expect(try next.send(method: "GET", uri: "/hello").bodyText == "hello")
    }

    @Test("idle kept-alive connections do not hold workers")
    func idleConnectionsHoldNoWorker() throws {
        let server = try InProcessServer(workers: 2)
        defer { server.stop() }
        // More open, idle, kept connections than workers: with one thread per connection
        // (libfcgi's own loop) the last request would wait until one of these closed.
        var idle: [FastCGIClient] = []
        for _ in 0..<6 {
            let client = try FastCGIClient(unixPath: server.socket)
            #expect(try client.send(method: "GET", uri: "/hello").status == 200)
            idle.append(client)
        }
        let started = Date()
        let fresh = try FastCGIClient(unixPath: server.socket)
        #expect(try fresh.send(method: "GET", uri: "/hello").bodyText == "hello")
        #expect(Date().timeIntervalSince(started) < 5)
        // And the idle ones still work afterwards.
        for client in idle { #expect(try client.send(method: "GET", uri: "/hello").status == 200) }
        #expect(server.server.statistics.openConnections == 7)
    }

    @Test("requests from many connections at once are all answered")
    func concurrentClients() throws {
        let server = try InProcessServer(workers: 3)
        defer { server.stop() }
        let socket = server.socket
        let results = ResultsBox()
        DispatchQueue.concurrentPerform(iterations: 12) { index in
            do {
                let client = try FastCGIClient(unixPath: socket)
                for _ in 0..<10 {
                    let response = try client.send(method: "POST", uri: "/echo", body: Array("client \(index)".utf8))
                    results.record(response.bodyText == "client \(index)")
                }
            } catch {
                results.record(false)
            }
        }
        #expect(results.successes == 120)
        #expect(results.failures == 0)
    }

    @Test("stop lets a request in flight finish, then run returns")
    func gracefulStop() throws {
        let server = try InProcessServer(workers: 2)
        let socket = server.socket
        let outcome = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        // The start-up probe's connection must be gone first, or its brief turn on a worker
        // passes for the slow request below.
        let settled = Date().addingTimeInterval(5)
        while server.server.statistics.connectionsAccepted == 0 || server.server.statistics.openConnections > 0
            || server.server.statistics.busyWorkers > 0, Date() < settled { usleep(5_000) }
        Thread.detachNewThread {
            do {
                let client = try FastCGIClient(unixPath: socket)
                let response = try client.send(method: "GET", uri: "/slow?ms=700")
                outcome.set("\(response.status) \(response.bodyText)")
            } catch {
                outcome.set("error: \(error)")
            }
            done.signal()
        }
        // Let the request reach a worker, then stop.
        let deadline = Date().addingTimeInterval(5)
        while server.server.statistics.busyWorkers == 0, Date() < deadline { usleep(5_000) }
        #expect(server.server.statistics.busyWorkers == 1)
        server.server.stop()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(outcome.value == "200 slow done")
        #expect(server.waitUntilFinished(timeout: 10))
        #expect(!FileManager.default.fileExists(atPath: socket))
        #expect(throws: (any Error).self) { try FastCGIClient(unixPath: socket) }
    }

    @Test("a connection still waiting in the listen backlog when a stop begins is served, not dropped")
    func backlogAtStop() throws {
        let server = try InProcessServer(workers: 1)
        let socket = server.socket
        let settled = Date().addingTimeInterval(5)
        while server.server.statistics.connectionsAccepted == 0 || server.server.statistics.openConnections > 0
            || server.server.statistics.busyWorkers > 0, Date() < settled { usleep(5_000) }
        let slow = OutcomeBox()
        let waiting = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                slow.set("\(try FastCGIClient(unixPath: socket).send(method: "GET", uri: "/slow?ms=700").status)")
            } catch {
                slow.set("error: \(error)")
            }
            done.signal()
        }
        // The only thread is busy: the next connection waits in the backlog, accepted by nobody.
        let deadline = Date().addingTimeInterval(5)
        while server.server.statistics.busyWorkers == 0, Date() < deadline { usleep(5_000) }
        let accepted = server.server.statistics.connectionsAccepted
        let connected = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                let client = try FastCGIClient(unixPath: socket)
                connected.signal()
                waiting.set("\(try client.send(method: "GET", uri: "/hello").status)")
            } catch {
                connected.signal()
                waiting.set("error: \(error)")
            }
            done.signal()
        }
        #expect(connected.wait(timeout: .now() + 5) == .success)
        usleep(50_000)
        #expect(server.server.statistics.connectionsAccepted == accepted)
        server.server.stop()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(slow.value == "200")
        #expect(waiting.value == "200")
        #expect(server.waitUntilFinished(timeout: 10))
    }

    @Test("the socket file is not world-accessible and follows the configured mode")
    func socketMode() throws {
        let server = try InProcessServer()
        defer { server.stop() }
        let attributes = try FileManager.default.attributesOfItem(atPath: server.socket)
        let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value ?? 0xFFFF
        #expect(mode == 0o660)
    }

    @Test("a second server refuses a socket that is in use, and replaces a stale one")
    func socketInUseAndStale() throws {
        let first = try InProcessServer()
        var configuration = FastCGIServer.Configuration(listen: .unix(path: first.socket), workers: 1)
        configuration.handleSignals = false
        let second = FastCGIServer(configuration: configuration, logger: .init(label: "test"))
        #expect(throws: FastCGIError.self) { try second.run { _ in fatalError("never runs") } }
        first.stop()

        // A stale socket file (nobody listening) is replaced.
        let path = TestEnvironment.socketPath("stale")
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        #expect(FileManager.default.fileExists(atPath: path))
        let replaced = FastCGIServer(configuration: .init(listen: .unix(path: path), workers: 1), logger: .init(label: "test"))
        let finished = DispatchSemaphore(value: 0)
        var replacedConfiguration = replaced.configuration
        replacedConfiguration.handleSignals = false
        let server = FastCGIServer(configuration: replacedConfiguration, logger: .init(label: "test"))
        Thread.detachNewThread {
            try? server.run { _ in EmptyResponder() }
            finished.signal()
        }
        let deadline = Date().addingTimeInterval(5)
        while (try? FastCGIClient(unixPath: path)) == nil, Date() < deadline { usleep(10_000) }
        #expect((try? FastCGIClient(unixPath: path)) != nil)
        server.stop()
        #expect(finished.wait(timeout: .now() + 10) == .success)
    }

    @Test("a stopping server removes its own socket file, never the one a newer server made at that path")
    func leavesANewerSocketAlone() throws {
        let path = TestEnvironment.socketPath("replaced")
        let old = try ListenSocket(address: .unix(path: path), options: .init())
        // The path removed behind the old server's back (a run directory cleaned by a deploy
        // script), and a new server listening there now.
        unlink(path)
        let new = try ListenSocket(address: .unix(path: path), options: .init())
        old.close()
        #expect(FileManager.default.fileExists(atPath: path), "the newer server's socket file is still there")
        #expect((try? FastCGIClient(unixPath: path)) != nil, "and still reaches it")
        new.close()
        #expect(!FileManager.default.fileExists(atPath: path), "a server removes its own socket file")
    }

    @Test("listen addresses parse", arguments: [
        ("unix:/run/parley/parley.sock", ListenAddress.unix(path: "/run/parley/parley.sock")),
        ("/tmp/p.sock", .unix(path: "/tmp/p.sock")),
        ("./p.sock", .unix(path: "./p.sock")),
        ("127.0.0.1:9000", .tcp(host: "127.0.0.1", port: 9000)),
        ("[::1]:9000", .tcp(host: "::1", port: 9000)),
        ("fd:0", .inherited(fd: 0)),
        ("stdin", .inherited(fd: 0)),
    ])
    func listenAddressParsing(text: String, expected: ListenAddress) {
        #expect(ListenAddress(parsing: text) == expected)
    }

    @Test("bad listen addresses are refused", arguments: ["", "unix:", "localhost", "127.0.0.1:99999", "fd:-1", ":80"])
    func badListenAddresses(text: String) {
        #expect(ListenAddress(parsing: text) == nil)
    }
}

struct EmptyResponder: FastCGIResponder {
    func respond(to request: FastCGIRequest) {
        request.write(Array("Status: 204 No Content\r\n\r\n".utf8))
    }
}

final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var successes = 0
    private(set) var failures = 0
    func record(_ ok: Bool) { lock.withLock { if ok { successes += 1 } else { failures += 1 } } }
}

final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    func set(_ value: String) { lock.withLock { stored = value } }
    var value: String? { lock.withLock { stored } }
}
