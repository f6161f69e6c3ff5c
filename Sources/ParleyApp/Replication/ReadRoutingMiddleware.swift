import Postgres
import Web

/// Sends lag-tolerant reads (lists, search, the inbox and notification pages) to the replica,
/// and gives every successful write's client its position in the primary's WAL, so that its
/// next reads wait for the replica to have replayed it (read-your-writes; see
/// docs/decisions/0009-read-replica-routing.md). Innermost, so that sessions and tokens are
/// checked on the primary. Only in the chain when a replica is configured: the single-database
/// path is unchanged.
struct ReadRoutingMiddleware: Middleware {
    /// The client's last write position: a cookie for browsers and cookie-keeping API clients,
    /// the same value in a header for the others.
    static let cookieName = "parley_lsn"
    static let headerName = "Parley-LSN"

    func handle(_ request: Request, context: AppContext, next: Responder<AppContext>) throws -> Response {
        guard let route = context.replicaRoute else { return try next(request, context) }
        if request.method == .get || request.method == .head {
            guard Self.isLagTolerant(request.path) else { return try next(request, context) }
            let database = route.readDatabase(minimumLSN: try Self.position(of: request))
            guard database !== route.primary else { return try next(request, context) }
            context.database = database
            defer { context.database = route.primary }
            do {
                return try next(request, context)
            } catch let error where Self.isReplicaFailure(error) {
                // A GET changes nothing: the primary answers it again, and no request fails
                // because of the replica.
                route.replicaFailed(error)
                context.database = route.primary
                return try next(request, context)
            }
        }
        var response = try next(request, context)
        if response.status.code < 400, request.method != .options {
            // A write (or an attempt that may have been one) succeeded: where the primary's WAL is
            // now, so that this client's next reads see it. The primary answered the write a
            // moment ago, so this rarely fails; if it does, the client gets no position and its
            // next reads may be as old as the replica's lag (at most PARLEY_REPLICA_MAX_LAG).
            if let position = try? route.primaryPosition() {
                var cookie = SetCookie(name: Self.cookieName, value: position, maxAge: route.configuration.positionCookieMaxAge)
                cookie.secure = request.isSecure
                response.setCookie(cookie)
                response.headers[Self.headerName] = position
            }
        }
        return response
    }

    /// GET routes whose answer may be a moment old: lists, search and the pages built from
    /// them. Not the conversation page, which marks the conversation read (a write), nor a
    /// single object's detail, which a client fetches right after changing it.
    static func isLagTolerant(_ path: String) -> Bool {
        // ("/api/users/" is "", "api", "users", "".)
        // At the `/` bytes, as the router splits: String's `split` walks Characters.
        let parts = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { Substring($0) }
        switch parts.count {
        case 2: return path == "/inbox" || path == "/notifications"
        case 4:
            return path == "/api/conversations/" || path == "/api/messages/" || path == "/api/notifications/" || path == "/api/users/"
                || (parts[1] == "messages" && parts[3] == "history")
        case 6:
            return parts[1] == "api" && parts[5] == ""
                && ((parts[2] == "conversations" && parts[4] == "messages") || (parts[2] == "messages" && (parts[4] == "history" || parts[4] == "thread")))
        default: return false
        }
    }

    /// The client's last write position, from the header or the cookie. A malformed header is
    /// the client's mistake (400); a malformed cookie is ignored.
    static func position(of request: Request) throws -> String? {
        if let header = request.headers[headerName] {
            guard isPosition(header) else {
                throw HTTPError(.badRequest, "\(headerName) must be a PostgreSQL WAL position such as 0/16B3748, as a write's response gave it.")
            }
            return header
        }
        if let cookie = request.cookies[cookieName], isPosition(cookie) { return cookie }
        return nil
    }

    /// `XXXXXXXX/XXXXXXXX`: two groups of one to eight hexadecimal digits.
    static func isPosition(_ text: String) -> Bool {
        let groups = text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        return groups.count == 2 && groups.allSatisfy { group in
            (1...8).contains(group.count) && group.allSatisfy { byte in
                (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 70) || (byte >= 97 && byte <= 102)
            }
        }
    }

    /// A failure of the replica that the primary would not have: lost or refused connection, a
    /// query cancelled by a conflict with recovery, or a write attempted on the standby.
    static func isReplicaFailure(_ error: any Error) -> Bool {
        if DatabaseUnavailableMiddleware.isUnreachable(error) { return true }
        if let error = error as? PostgresError {
            return error.isConnectionFailure || error.code == .readOnlySqlTransaction || error.code == .serializationFailure
        }
        if let error = error as? PostgresTransactionError { return isReplicaFailure(error.underlying) }
        return false
    }
}
