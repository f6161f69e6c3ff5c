import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A process a test starts (usually `parley serve`), stopped by its pid when the test ends.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let errorPipe = Pipe()
    private let collected = CollectedOutput()
    private let collectedOutput = CollectedOutput()
    private let outputPipe = Pipe()

    /// Starts `executable` with `arguments`, adding `environment` to this process's own.
    /// `captureStandardOutput`: keep what it prints (``standardOutput``) instead of dropping it.
    public init(executable: String, arguments: [String], environment: [String: String] = [:], captureStandardOutput: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardError = errorPipe
        if captureStandardOutput {
            process.standardOutput = outputPipe
            let output = self.collectedOutput
            outputPipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if !data.isEmpty { output.append(data) }
            }
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        let collected = self.collected
        errorPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { collected.append(data) }
        }
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    /// What the process printed so far (with `captureStandardOutput`).
    public var standardOutput: String { collectedOutput.text }

    /// What the process wrote to stderr so far (its logs).
    public var standardError: String { collected.text }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    public var isRunning: Bool { process.isRunning }

    /// Waits for exit up to `timeout`; returns the exit status, or nil if it is still running.
    /// After an exit, what the process wrote is in ``standardError`` and ``standardOutput``.
    public func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        guard !process.isRunning else { return nil }
        drainPipes()
        return process.terminationStatus
    }

    /// Waits (a second at most) until the readability handlers have taken what is left in the
    /// pipes: they run on a dispatch queue, which a loaded machine runs late, and a test that read
    /// the output right after the exit saw it cut short.
    private func drainPipes() {
        let deadline = Date().addingTimeInterval(1)
        while Date() < deadline {
            var pipes = [errorPipe, outputPipe].map { pollfd(fd: $0.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0) }
            guard poll(&pipes, nfds_t(pipes.count), 0) > 0, pipes.contains(where: { $0.revents & Int16(POLLIN) != 0 }) else { break }
            usleep(10_000)
        }
        // A handler that has just read may still be appending.
        usleep(20_000)
    }

    /// Waits until `path` exists and accepts connections.
    public func waitForSocket(_ path: String, timeout: TimeInterval = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.isRunning { throw TestEnvironmentError(message: "process exited early (\(process.terminationStatus)): \(standardError)") }
            if FileManager.default.fileExists(atPath: path), (try? FastCGIClient(unixPath: path)) != nil { return }
            usleep(20_000)
        }
        throw TestEnvironmentError(message: "socket \(path) did not appear: \(standardError)")
    }

    /// Kills the process if it is still running.
    public func terminate() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        errorPipe.fileHandleForReading.readabilityHandler = nil
        outputPipe.fileHandleForReading.readabilityHandler = nil
    }

    deinit { terminate() }
}

final class CollectedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ more: Data) { lock.withLock { data.append(more) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

/// Starts `parley serve` on a fresh unix socket under the test directory.
public func startParley(extraArguments: [String] = [], environment: [String: String] = [:]) throws -> (ChildProcess, String) {
    let socket = TestEnvironment.socketPath("parley")
    var env = environment
    if env["DATABASE_URL"] == nil { env["DATABASE_URL"] = TestEnvironment.values["PARLEY_TEST_DATABASE_URL"] ?? "" }
    let child = try ChildProcess(
        executable: try TestEnvironment.parleyBinary,
        arguments: ["serve", "--listen", socket, "--processes", "1", "--threads", "2"] + extraArguments,
        environment: env
    )
    try child.waitForSocket(socket)
    // The master binds the socket before its workers start: wait until one answers, so that a
    // test's first request is accepted by a worker rather than queued behind a starting one.
    _ = try FastCGIClient(unixPath: socket).send(method: "GET", uri: "/ping")
    return (child, socket)
}
