import FastCGI
import Foundation
import Logging
import ParleyTesting
import Synchronization
import Web
import WebFastCGI

final class TestContext: RequestContext {
    var logger: Logger
    var userID: String?
    init(logger: Logger) { self.logger = logger }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
}

/// A FastCGI server running in this process on a fresh unix socket, with routes made for
/// exercising the transport: echo, large and slow responses.
final class InProcessServer: @unchecked Sendable {
    let server: FastCGIServer
    let socket: String
    private let finished = DispatchSemaphore(value: 0)
    private let runError = OutcomeBox()

    init(workers: Int = 2, maxBodySize: Int = 10 * 1024 * 1024) throws {
        socket = TestEnvironment.socketPath("inproc")
        var configuration = FastCGIServer.Configuration(listen: .unix(path: socket), workers: workers)
        configuration.handleSignals = false
        configuration.shutdownTimeout = .seconds(5)
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        server = FastCGIServer(configuration: configuration, logger: logger)
        let application = InProcessServer.application()
        let server = self.server
        let finished = self.finished
        let runError = self.runError
        Thread.detachNewThread {
            do {
                try server.run { _ in
                    WebResponder(application: application, maxBodySize: maxBodySize) { _ in TestContext(logger: logger) }
                }
            } catch {
                runError.set("\(error)")
            }
            finished.signal()
        }
        let deadline = Date().addingTimeInterval(10)
        while (try? FastCGIClient(unixPath: socket)) == nil {
            if let error = runError.value { throw Failure(description: "server failed to start: \(error)") }
            guard Date() < deadline else { throw Failure(description: "server did not start listening on \(socket)") }
            usleep(10_000)
        }
    }

    /// Stops the server and waits for `run` to return; true if it did within `timeout`.
    @discardableResult
    func stop(timeout: TimeInterval = 10) -> Bool {
        server.stop()
        return finished.wait(timeout: .now() + timeout) == .success
    }

    /// Waits for `run` to return after a stop requested elsewhere.
    func waitUntilFinished(timeout: TimeInterval) -> Bool {
        finished.wait(timeout: .now() + timeout) == .success
    }

    static func application() -> Application<TestContext> {
        var router = Router<TestContext>()
        router.get("/hello") { _, _ in .text("hello") }
        router.post("/echo") { request, _ in
            var response = Response(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: request.body)
            response.headers["X-Body-Length"] = String(request.body.count)
            return response
        }
        router.post("/api/echo") { request, _ in .text(String(request.body.count)) }
        router.get("/big") { request, _ in
            let size = Int(request.query["size"] ?? "") ?? 1024
            return Response(status: .ok, headers: ["Content-Type": "text/plain"], body: [UInt8](repeating: UInt8(ascii: "x"), count: size))
        }
        router.get("/slow") { request, _ in
            let milliseconds = UInt32(request.query["ms"] ?? "") ?? 300
            usleep(milliseconds * 1000)
            return .text("slow done")
        }
        return Application(router: router, jsonErrorPathPrefixes: ["/api"])
    }
}
