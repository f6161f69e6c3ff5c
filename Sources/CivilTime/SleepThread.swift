#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Blocks the calling thread for `seconds` (nothing for zero or less), resuming after a signal
/// until the whole time has passed: Foundation's `Thread.sleep(forTimeInterval:)`, for the
/// synchronous request path's back-offs (Postgres retries, the live publisher, replica waits).
public func sleepThread(seconds: Double) {
    guard seconds > 0, seconds.isFinite else { return }
    let whole = seconds.rounded(.down)
    var request = timespec(tv_sec: Int(whole), tv_nsec: Int((seconds - whole) * 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && errno == EINTR {
        request = remaining
    }
}
