/// Routes requests by method and path. Patterns are literal segments and `:name` captures:
/// `/api/conversations/:id/messages/`. A trailing slash is part of the pattern.
///
/// Build it at start-up with ``on(_:_:use:)``; it is immutable once the ``Application`` holds it,
/// so worker threads share it without locks.
public struct Router<Context: RequestContext>: Sendable {
    public typealias Handler = @Sendable (Request, Context) throws -> Response

    struct Route: Sendable {
        let method: HTTPMethod
        let pattern: String
        let segments: [Segment]
        let handler: Handler
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private(set) var routes: [Route] = []

    public init() {}

    public mutating func on(_ method: HTTPMethod, _ pattern: String, use handler: @escaping Handler) {
        let segments = Router.split(pattern).map { part -> Segment in
            part.hasPrefix(":") ? .parameter(String(part.dropFirst())) : .literal(String(part))
        }
        routes.append(Route(method: method, pattern: pattern, segments: segments, handler: handler))
    }

    public mutating func get(_ pattern: String, use handler: @escaping Handler) { on(.get, pattern, use: handler) }
    public mutating func post(_ pattern: String, use handler: @escaping Handler) { on(.post, pattern, use: handler) }
    public mutating func put(_ pattern: String, use handler: @escaping Handler) { on(.put, pattern, use: handler) }
    public mutating func patch(_ pattern: String, use handler: @escaping Handler) { on(.patch, pattern, use: handler) }
    public mutating func delete(_ pattern: String, use handler: @escaping Handler) { on(.delete, pattern, use: handler) }

    /// Every registered (method, pattern), for documentation and tests.
    public var registeredRoutes: [(method: HTTPMethod, pattern: String)] {
        routes.map { ($0.method, $0.pattern) }
    }

    /// The outcome of matching a request against the routes.
    enum Match {
        case found(Handler, parameters: [String: String])
        /// The path exists but not for this method; the allowed methods.
        case methodNotAllowed([HTTPMethod])
        case notFound
    }

    func match(method: HTTPMethod, path: String) -> Match {
        let parts = Router.split(path)
        var allowed: [HTTPMethod] = []
        var headFallback: (Handler, [String: String])?
        for route in routes {
            guard let parameters = Router.capture(route.segments, parts) else { continue }
            if route.method == method { return .found(route.handler, parameters: parameters) }
            if method == .head, route.method == .get, headFallback == nil { headFallback = (route.handler, parameters) }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if let (handler, parameters) = headFallback { return .found(handler, parameters: parameters) }
        if allowed.isEmpty { return .notFound }
        if allowed.contains(.get), !allowed.contains(.head) { allowed.insert(.head, at: allowed.firstIndex(of: .get)! + 1) }
        return .methodNotAllowed(allowed)
    }

    /// `/a/b/` → ["a", "b", ""]: the empty last element keeps the trailing slash significant.
    static func split(_ path: String) -> [Substring] {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.first == "" { parts.removeFirst() }
        return parts
    }

    static func capture(_ segments: [Segment], _ parts: [Substring]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal):
                guard part == literal else { return nil }
            case .parameter(let name):
                guard !part.isEmpty else { return nil }
                parameters[name] = String(part)
            }
        }
        return parameters
    }
}
