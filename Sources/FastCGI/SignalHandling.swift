#if canImport(Glibc)
import Glibc
#endif
import Logging

/// SIGTERM and SIGINT are blocked in every thread and taken by one dedicated thread with
/// `sigwait`: a signal delivered to a random worker (or to libfcgi's handler, which only sets a
/// flag) would be lost. The first signal stops the server gracefully; a second one exits at once.
enum SignalHandling {
    static let terminationSignals: [Int32] = [SIGTERM, SIGINT]

    /// Blocks the termination signals in the calling thread; threads started later inherit it.
    static func blockTerminationSignals() throws(FastCGIError) {
        var set = signalSet()
        let result = pthread_sigmask(SIG_BLOCK, &set, nil)
        if result != 0 { throw FastCGIError("pthread_sigmask", errno: result) }
    }

    static func startWatcher(logger: Logger, onSignal: @escaping @Sendable () -> Void) throws(FastCGIError) {
        try WorkerThread.start(name: "parley-signals", stackSize: 256 << 10) {
            var set = signalSet()
            var received = 0
            while true {
                var signal: Int32 = 0
                guard sigwait(&set, &signal) == 0 else { continue }
                received += 1
                let name = signal == SIGTERM ? "SIGTERM" : signal == SIGINT ? "SIGINT" : "signal \(signal)"
                if received == 1 {
                    logger.info("received \(name): stopping gracefully")
                    onSignal()
                } else {
                    logger.warning("received \(name) again: exiting now")
                    _exit(1)
                }
            }
        }
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in terminationSignals { sigaddset(&set, signal) }
        return set
    }
}
