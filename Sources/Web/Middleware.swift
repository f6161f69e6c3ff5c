/// The next step of a middleware chain.
public typealias Responder<Context: RequestContext> = (Request, Context) throws -> Response

/// Code that runs around every request: it may answer itself, change the request or context
/// before calling `next`, or change the response `next` returns.
public protocol Middleware<Context>: Sendable {
    associatedtype Context: RequestContext
    func handle(_ request: Request, context: Context, next: Responder<Context>) throws -> Response
}
