import FoundationEssentials
import Web

/// Conditional GET for JSON resources: every `200` answer to a GET or HEAD under one of
/// `pathPrefixes` gets a strong `ETag` (a 128-bit fingerprint of the body, so two identical
/// bodies share it, across processes too), and a request whose `If-None-Match` names that tag gets
/// `304 Not Modified` with no body.
///
/// The body is still built (the tag is a hash of it), so a 304 saves the transfer, not the
/// query. Bodies must be deterministic for the tag to repeat (`Response.json` writes an
/// object's keys in the order they are encoded). `Cache-Control: private, no-cache` makes
/// browsers revalidate instead of guessing, and keeps shared caches out of per-user answers;
/// `Vary: Authorization` says whose answer it is.
struct ConditionalGETMiddleware<Context: RequestContext>: Middleware {
    let pathPrefixes: [String]

    func handle(_ request: Request, context: Context, next: Responder<Context>) throws -> Response {
        let response = try next(request, context)
        guard request.method == .get || request.method == .head,
              pathPrefixes.contains(where: { request.path.hasPrefix($0) })
        else { return response }
        return ConditionalGET.apply(to: response, for: request)
    }
}

enum ConditionalGET {
    /// Adds the ETag to a 200 and turns it into a 304 when the client already has it.
    static func apply(to response: Response, for request: Request) -> Response {
        guard response.status == .ok else { return response }
        var response = response
        let tag = etag(for: response.body)
        response.headers["ETag"] = tag
        if response.headers["Cache-Control"] == nil { response.headers["Cache-Control"] = "private, no-cache" }
        if response.headers["Vary"] == nil { response.headers["Vary"] = "Authorization" }
        if let header = request.headers["If-None-Match"], matches(header, tag) {
            var notModified = Response(status: .notModified)
            for name in ["ETag", "Cache-Control", "Vary"] { notModified.headers[name] = response.headers[name] }
            return notModified
        }
        return response
    }

    /// `"<32 hex digits>"`: the body's ``BodyFingerprint``.
    static func etag(for body: [UInt8]) -> String {
        "\"" + BodyFingerprint.hex(body) + "\""
    }

    /// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/` prefixes are ignored;
    /// `*` matches any current representation; a list matches if any member does.
    static func matches(_ header: String, _ tag: String) -> Bool {
        let wanted = opaque(tag)
        for candidate in header.split(separator: ",") {
            let trimmed = candidate.trimmingSpaces()
            if trimmed == "*" || opaque(trimmed) == wanted { return true }
        }
        return false
    }

    private static func opaque(_ tag: String) -> String {
        tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
    }
}
