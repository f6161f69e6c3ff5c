import Logging

/// One structured line per request: method, path, status, duration, request id, user.
/// Written by ``Application`` after the error middleware, so it records the status the client got.
enum AccessLog {
    static func record(request: Request, response: Response, context: some RequestContext, duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)",
            "path": "\(request.path)",
            "status": "\(response.status.code)",
            "duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
            "bytes": "\(response.body.count)",
            "request_id": "\(request.id)",
        ]
        if let user = context.userID { metadata["user"] = "\(user)" }
        if let address = request.remoteAddress { metadata["remote_addr"] = "\(address)" }
        context.logger.info("request", metadata: metadata)
    }
}
