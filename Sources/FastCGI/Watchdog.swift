#if canImport(Glibc)
import Glibc
#endif
import Logging

/// A worker process's deadline keeper (PHP-FPM's `request_slowlog_timeout` and
/// `request_terminate_timeout`): one thread that looks at the process's slots ten times a
/// second.
///
/// - Past `slowRequest`, a request is logged once with what it is doing: its phase and, in the
///   database phase, the SQL text (never the binds).
/// - Past `requestTimeout`, its statement is cancelled (`onTimeout`), so the request fails fast
///   and answers 503.
/// - Past the timeout plus `timeoutGrace`, the thread is taken to be stuck outside the
///   database: the process is marked stuck, stops accepting and drains; its master starts a
///   replacement and kills it.
enum Watchdog {
    static func start(server: FastCGIServer) throws(FastCGIError) {
        let configuration = server.configuration
        let logger = server.logger
        let slots = server.slots
        try WorkerThread.start(name: "parley-watchdog", stackSize: 256 << 10) {
            var stuckReported = false
            while !server.isStopping || slots.contains(where: { $0.phase != .idle }) {
                usleep(100_000)
                let now = monotonicNanoseconds()
                for slot in slots {
                    let sequence = slot.sequence
                    let phase = slot.phase
                    guard phase != .idle else { continue }
                    let running = slot.runningNanoseconds(at: now)
                    guard running > 0 else { continue }
                    let elapsed = Duration.nanoseconds(Int64(clamping: running))
                    if let slow = configuration.slowRequest, elapsed >= slow, slot.claimSlowLog(sequence: sequence) {
                        slot.processEntry.board.add(.slowRequests)
                        logger.warning("slow request", metadata: describe(slot, phase: phase, elapsed: elapsed))
                    }
                    guard let timeout = configuration.requestTimeout, elapsed >= timeout else { continue }
                    if slot.claimTimeout(sequence: sequence) {
                        slot.processEntry.board.add(.timeouts)
                        logger.error("request timed out: cancelling its statement", metadata: describe(slot, phase: phase, elapsed: elapsed))
                        configuration.onTimeout?(slot.index)
                    } else if elapsed >= timeout + configuration.timeoutGrace, !stuckReported {
                        stuckReported = true
                        logger.critical(
                            "request still running past its timeout and grace: this process stops taking requests and its master replaces it",
                            metadata: describe(slot, phase: phase, elapsed: elapsed))
                        slot.processEntry.markStuck()
                        server.stop()
                    }
                }
            }
        }
    }

    static func describe(_ slot: WorkerSlot, phase: WorkerSlot.Phase, elapsed: Duration) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "method": "\(slot.method)", "path": "\(slot.path)", "request_id": "\(slot.requestID)",
            "duration_ms": "\(elapsed.wholeMillisecondsClamped)", "pid": "\(getpid())", "thread": "\(slot.index)",
            "phase": "\(phase.name)",
        ]
        if phase == .database {
            let statement = slot.statement
            if !statement.isEmpty { metadata["sql"] = "\(statement)" }
        }
        return metadata
    }
}
