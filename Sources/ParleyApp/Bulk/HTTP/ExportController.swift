import FoundationEssentials
import Logging
import Web

/// `GET /api/users/me/export/`: everything of the caller as NDJSON, streamed as PostgreSQL
/// produces it. The account page's "Export my data" (`/account/export`) answers the same.
struct ExportController {
    let services: AppServices

    func register(on router: inout Router<AppContext>) {
        router.drf(.get, "/api/users/me/export/") { request, context in
            try Self.response(user: try context.requireUser(), context: context, services: services)
        }
    }

    static let busyMessage = "An export of your data is already running. Wait for it to finish, then try again."

    /// The streamed export of `user`, or 429 while another export of theirs runs.
    static func response(user: AuthenticatedUser, context: AppContext, services: AppServices) throws -> Response {
        let export = services.dataExport(context)
        do {
            try export.begin(userID: user.id)
        } catch is DataExport.Busy {
            throw HTTPError(.tooManyRequests, busyMessage, headers: ["Retry-After": "10"])
        }
        let logger = context.logger
        let headers: HTTPHeaders = [
            "Content-Type": ExportFormat.ndjson.contentType,
            "Content-Disposition": "attachment; filename=\"parley-export-\(user.username.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }).ndjson\"",
            "Cache-Control": "no-store",
            // nginx passes each chunk on as it comes instead of buffering the response.
            "X-Accel-Buffering": "no",
        ]
        return .streamed(headers: headers, abandon: { export.finish(userID: user.id) }) { writer in
            defer { export.finish(userID: user.id) }
            do {
                let lines = try export.write(userID: user.id, format: .ndjson) { try writer.write($0) }
                logger.info("data export sent", metadata: ["user": "\(user.id.apiString)", "lines": "\(lines)", "bytes": "\(writer.bytesSent)"])
            } catch let gone as ResponseBodyWriter.ClientGone {
                logger.info("data export stopped: the client hung up", metadata: ["user": "\(user.id.apiString)", "bytes": "\(writer.bytesSent)"])
                throw gone
            } catch {
                // The head has gone: the client learns of the failure from a last line, and
                // from the connection closing before the body's end.
                logger.error("data export failed", metadata: ["user": "\(user.id.apiString)", "error": "\(Web.logDescription(of: error))"])
                try? writer.write(#"{"type":"error","detail":"The export stopped early because of a server error. Try again."}"# + "\n")
                try? writer.flush()
                throw error
            }
        }
    }
}
