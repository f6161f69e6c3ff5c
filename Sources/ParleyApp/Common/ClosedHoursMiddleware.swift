import FoundationEssentials
import Web

/// Answers `403 {"detail": "The chat is closed between 21:00 and 06:00 (UTC)."}` to every
/// request under `pathPrefixes` while the clock is inside `hours`; everything else passes.
/// Off unless `PARLEY_CHAT_CLOSED_HOURS` is set.
struct ClosedHoursMiddleware<Context: RequestContext>: Middleware {
    let hours: ClosedHours
    let pathPrefixes: [String]
    var now: @Sendable () -> Date = { Date() }

    func handle(_ request: Request, context: Context, next: Responder<Context>) throws -> Response {
        if pathPrefixes.contains(where: { request.path.hasPrefix($0) }), hours.contains(now()) {
            throw HTTPError(.forbidden, "The chat is closed between \(hours).")
        }
        return try next(request, context)
    }
}
