/// A router wrapped in middleware: the whole transport-free HTTP application.
///
/// `respond(to:context:)` never throws: anything a handler throws is turned into a response by
/// the error middleware (added first, so it wraps everything), and anything that escapes even
/// that becomes a bare 500. Tests call it directly, with no socket.
public struct Application<Context: RequestContext>: Sendable {
    public let router: Router<Context>
    /// The error middleware around the others around the router, composed once here: a request
    /// then makes no closure per middleware, and no `any Middleware<Context>` metadata lookup
    /// per call (a constrained existential in generic code asks the runtime for its metadata
    /// each time; the cost is in bench/README.md).
    private let chain: @Sendable (Request, Context) throws -> Response

    /// How errors become responses; the adapter answers a timed-out request by it too.
    package let errorRendering: ErrorRendering

    /// - Parameters:
    ///   - errorPages: the HTML error page.
    ///   - jsonErrorPathPrefixes: the API's paths (`/api`): errors there, and below them, are JSON.
    public init(
        router: Router<Context>, middleware: [any Middleware<Context>] = [], errorPages: ErrorPageRenderer = .plain(),
        jsonErrorPathPrefixes: [String] = []
    ) {
        self.router = router
        let errorRendering = ErrorRendering(jsonPathPrefixes: jsonErrorPathPrefixes, page: errorPages)
        self.errorRendering = errorRendering
        var next: @Sendable (Request, Context) throws -> Response = { request, context in
            try Self.dispatch(request, context: context, router: router)
        }
        for layer in middleware.reversed() {
            next = Self.compose(layer, next)
        }
        next = Self.refusingUndeclaredMethods(router: router, next)
        chain = Self.compose(ErrorMiddleware<Context>(rendering: errorRendering), next)
    }

    /// `middleware` around `next` (the existential opened here, once).
    private static func compose<M: Middleware>(
        _ middleware: M, _ next: @escaping @Sendable (Request, Context) throws -> Response
    ) -> @Sendable (Request, Context) throws -> Response where M.Context == Context {
        { request, context in try middleware.handle(request, context: context, next: next) }
    }

    /// A method the path does not have is a 405 with `Allow` before any middleware runs: what
    /// a client learns about a path does not depend on its session or token (a CSRF check or
    /// an authentication failure would otherwise answer a page's `PATCH` or `TRACE` first).
    /// GET and HEAD pass: no middleware refuses them for a reason of its own before routing,
    /// and they are the hot paths, so they are matched once, in ``dispatch``.
    private static func refusingUndeclaredMethods(
        router: Router<Context>, _ next: @escaping @Sendable (Request, Context) throws -> Response
    ) -> @Sendable (Request, Context) throws -> Response {
        { request, context in
            if request.method != .get, request.method != .head, request.rejection == nil,
               case .methodNotAllowed(let allowed) = router.match(method: request.method, path: request.path)
            {
                throw methodNotAllowed(request.method, allowed)
            }
            return try next(request, context)
        }
    }

    static func methodNotAllowed(_ method: HTTPMethod, _ allowed: [HTTPMethod]) -> HTTPError {
        HTTPError(
            .methodNotAllowed,
            "Method \"\(method.rawValue)\" not allowed.",
            headers: ["Allow": allowed.map(\.rawValue).joined(separator: ", ")]
        )
    }

    public func respond(to request: Request, context: Context) -> Response {
        // The clock only when the access log will want the duration.
        let started: ContinuousClock.Instant? = context.logLevel <= .info ? ContinuousClock.now : nil
        var response: Response
        do {
            response = try chain(request, context)
        } catch {
            context.logger.error("unhandled error escaped the error middleware", metadata: ["error": "\(logDescription(of: error))"])
            response = Response.text("A server error occurred.", status: .internalServerError)
        }
        if response.headers.contains("X-Request-Id") || request.id.withUTF8Bytes({ $0.contains { $0 == 10 || $0 == 13 } }) {
            response.headers["X-Request-Id"] = request.id
        } else {
            response.headers.appendChecked(name: "X-Request-Id", value: request.id)
        }
        // No response of the application is content-sniffed by a browser: pages set this with
        // their other security headers; JSON, text and error responses get it here.
        if !response.headers.contains("X-Content-Type-Options") {
            response.headers.appendChecked(name: "X-Content-Type-Options", value: "nosniff")
        }
        if request.method == .head {
            // HEAD answers with GET's headers, including the length the body would have had
            // (unknown for a streamed body, which is not produced).
            if response.headers["Content-Length"] == nil, response.bodyStream == nil {
                response.headers["Content-Length"] = String(response.body.count)
            }
            response.body = []
            response.bodyStream = nil
        }
        if let started {
            AccessLog.record(request: request, response: response, context: context, duration: ContinuousClock.now - started)
        }
        return response
    }

    private static func dispatch(_ request: Request, context: Context, router: Router<Context>) throws -> Response {
        if let rejection = request.rejection { throw rejection }
        switch router.match(method: request.method, path: request.path) {
        case .found(let handler, let parameters, let route):
            context.route = route
            // (A copy of the request only when there is something to add to it.)
            guard !parameters.isEmpty else { return try handler(request, context) }
            var request = request
            request.parameters = parameters
            return try handler(request, context)
        case .methodNotAllowed(let allowed):
            throw methodNotAllowed(request.method, allowed)
        case .notFound:
            throw HTTPError(.notFound)
        }
    }
}
