import Logging

/// One structured line per request: method, path, status, duration, request id, user.
/// Written by ``Application`` after the error middleware, so it records the status the client got.
enum AccessLog {
    static func record(request: Request, response: Response, context: some RequestContext, duration: Duration) {
        guard context.logLevel <= .info else { return }
        let (seconds, attoseconds) = duration.components
        // Microseconds, written as milliseconds with three decimals.
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        if let logfmt = context.logger.handler as? LogfmtLogHandler {
            // The same line, written straight into bytes (no metadata dictionary, no strings).
            logfmt.logAccess(
                AccessLogEntry(
                    bytes: response.body.count, microseconds: microseconds, method: request.method.rawValue,
                    path: request.path, remoteAddress: request.remoteAddress, requestID: request.id,
                    status: response.status.code, user: context.userID))
            return
        }
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(request.path),
            "status": .string(String(response.status.code)),
            "duration_ms": .string(millisecondsText(microseconds)),
            "bytes": .string(String(response.body.count)),
            "request_id": .string(request.id),
        ]
        if let user = context.userID { metadata["user"] = .string(user) }
        if let address = request.remoteAddress { metadata["remote_addr"] = .string(address) }
        context.logger.info("request", metadata: metadata)
    }

    /// 1234 µs → `1.234`, written into bytes.
    static func appendMilliseconds(_ microseconds: Int64, to bytes: inout [UInt8]) {
        bytes.appendUTF8(millisecondsText(microseconds))
    }

    /// 1234 µs → `1.234`, 1000 → `1.0`, 5 → `0.005` (as the Double's shortest form would read).
    static func millisecondsText(_ microseconds: Int64) -> String {
        let whole = microseconds / 1000
        var fraction = Int(microseconds % 1000)
        guard fraction > 0 else { return String(whole) + ".0" }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        return String(whole) + "." + String(repeating: "0", count: digits - text.count) + text
    }
}

/// The access log's fields, for ``LogfmtLogHandler/logAccess(_:)``.
struct AccessLogEntry {
    var bytes: Int
    var microseconds: Int64
    var method: String
    var path: String
    var remoteAddress: String?
    var requestID: String
    var status: Int
    var user: String?

    /// Its keys, in order.
    static let keys = ["bytes", "duration_ms", "method", "path", "remote_addr", "request_id", "status", "user"]

    func isPresent(_ index: Int) -> Bool {
        switch index {
        case 4: remoteAddress != nil
        case 7: user != nil
        default: true
        }
    }

    func appendValue(_ index: Int, to line: inout [UInt8]) {
        switch index {
        case 0: LogfmtLogHandler.appendDecimal(bytes, to: &line)
        case 1: AccessLog.appendMilliseconds(microseconds, to: &line)
        case 2: LogfmtLogHandler.appendQuoted(method, to: &line)
        case 3: LogfmtLogHandler.appendQuoted(path, to: &line)
        case 4: LogfmtLogHandler.appendQuoted(remoteAddress ?? "", to: &line)
        case 5: LogfmtLogHandler.appendQuoted(requestID, to: &line)
        case 6: LogfmtLogHandler.appendDecimal(status, to: &line)
        default: LogfmtLogHandler.appendQuoted(user ?? "", to: &line)
        }
    }
}
