/// Turns thrown errors into responses, in one place.
///
/// Under the application's JSON paths (``ErrorRendering``) errors are JSON (`{"detail": "…"}`,
/// or `{"field": ["…"]}` for validation); elsewhere they are HTML pages from the
/// ``ErrorPageRenderer``. An error that is not an ``HTTPResponseError`` is logged with its detail
/// and the request id, and the client gets a generic 500 that says nothing about it.
struct ErrorMiddleware<Context: RequestContext>: Middleware {
    let rendering: ErrorRendering

    func handle(_ request: Request, context: Context, next: Responder<Context>) throws -> Response {
        do {
            return try next(request, context)
        } catch let error as any HTTPResponseError {
            return render(error, for: request)
        } catch {
            context.logger.error("internal error", metadata: ["error": "\(logDescription(of: error))"])
            return render(HTTPError(.internalServerError), for: request)
        }
    }

    func render(_ error: any HTTPResponseError, for request: Request) -> Response {
        var response: Response
        if rendering.wantsJSON(request) {
            response = Response(status: error.status, headers: ["Content-Type": "application/json"], body: ErrorBody(error).json)
        } else {
            response = .html(rendering.page.render(error.status, error.publicMessage, request), status: error.status)
        }
        for field in error.headers { response.headers[field.name] = field.value }
        return response
    }
}
