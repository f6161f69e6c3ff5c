#if canImport(Glibc)
import Glibc
#endif

/// An error from the FastCGI server: what was being done, and the OS error behind it.
public struct FastCGIError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let errno: Int32?
    public let detail: String?

    package init(_ operation: String, errno: Int32? = nil, detail: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        var text = operation
        if let detail { text += ": \(detail)" }
        if let errno { text += " (\(String(cString: strerror(errno))), errno \(errno))" }
        return text
    }
}

/// The one place raw return codes and errno become Swift errors (swift-nio's `syscall` idea):
/// retries on EINTR, throws with the operation's name otherwise.
@discardableResult
func systemCall<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ body: () -> T) throws(FastCGIError) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        throw FastCGIError(operation(), errno: code)
    }
}

extension Duration {
    /// Whole milliseconds, clamped to `Int` (a configured duration never traps a conversion).
    var wholeMillisecondsClamped: Int {
        let (seconds, attoseconds) = components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? Int(Int64.min) : Int(Int64.max) }
        return Int(ms + attoseconds / 1_000_000_000_000_000)
    }
}
