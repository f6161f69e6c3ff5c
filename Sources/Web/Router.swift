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

    typealias Segment = RouteSegment

    private(set) var routes: [Route] = []
    /// What matching needs, without the handlers: not generic, so it runs as compiled here
    /// rather than through the generic (unspecialised) paths of `Router<Context>`.
    private var table = RouteTable()

    public init() {}

    public mutating func on(_ method: HTTPMethod, _ pattern: String, use handler: @escaping Handler) {
        let segments = RouteTable.split(pattern).map { part -> Segment in
            part.hasPrefix(":") ? .parameter(String(part.dropFirst())) : .literal(String(part))
        }
        routes.append(Route(method: method, pattern: pattern, segments: segments, handler: handler))
        table.add(method: method, pattern: pattern, segments: segments)
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
        case found(Handler, parameters: [String: String], route: Int)
        /// The path exists but not for this method; the allowed methods.
        case methodNotAllowed([HTTPMethod])
        case notFound
    }

    func match(method: HTTPMethod, path: String) -> Match {
        switch table.match(method: method, path: path) {
        case .found(let index, let parameters): .found(routes[index].handler, parameters: parameters, route: index)
        case .methodNotAllowed(let allowed): .methodNotAllowed(allowed)
        case .notFound: .notFound
        }
    }

    /// `/a/b/` → ["a", "b", ""]: the empty last element keeps the trailing slash significant.
    static func split(_ path: String) -> [Substring] { RouteTable.split(path) }
}

enum RouteSegment: Sendable, Equatable {
    case literal(String)
    case parameter(String)
}

/// The routes' methods and patterns, in registration order, with an index: patterns without
/// parameters are found by one dictionary lookup of the path; the others are matched segment
/// by segment, without allocating. The first route (in registration order) that matches path
/// and method answers; HEAD falls back to GET; a path that matches only other methods is 405.
struct RouteTable: Sendable {
    struct Entry: Sendable {
        let method: HTTPMethod
        let segments: [RouteSegment]
        /// The first segment when it is literal: a cheap test before splitting the path.
        let firstLiteral: String?
    }

    enum Match {
        case found(Int, parameters: [String: String])
        case methodNotAllowed([HTTPMethod])
        case notFound
    }

    private var entries: [Entry] = []
    /// Routes without parameters by their path (without the leading slash), in order.
    private var literal: [Substring: [Int]] = [:]
    /// Routes with parameters, in order, by their number of segments: a path is only tried
    /// against those with as many segments as it has (a parameterless path such as
    /// `/plaintext` usually against none).
    private var parameterized: [[Int]] = []

    mutating func add(method: HTTPMethod, pattern: String, segments: [RouteSegment]) {
        let index = entries.count
        var firstLiteral: String?
        if case .literal(let literal)? = segments.first { firstLiteral = literal }
        entries.append(Entry(method: method, segments: segments, firstLiteral: firstLiteral))
        if segments.contains(where: { if case .parameter = $0 { true } else { false } }) {
            while parameterized.count <= segments.count { parameterized.append([]) }
            parameterized[segments.count].append(index)
        } else {
            literal[Self.key(pattern), default: []].append(index)
        }
    }

    /// Two paths have the same segments exactly when these are equal.
    static func key(_ path: String) -> Substring {
        path.utf8.first == UInt8(ascii: "/") ? path[path.utf8.index(after: path.startIndex)...] : path[...]
    }

    func match(method: HTTPMethod, path: String) -> Match {
        let key = Self.key(path)
        let literalMatches = literal[key] ?? []
        // The path's segment count and first segment, from its bytes: most parameterized routes
        // are ruled out by these without splitting the path.
        let (segmentCount, firstSegmentLength) = key.utf8.withContiguousStorageIfAvailable { bytes in
            var count = 1
            var first = bytes.count
            for index in bytes.indices where bytes[index] == UInt8(ascii: "/") {
                if count == 1 { first = index }
                count += 1
            }
            return (count, first)
        } ?? (Self.split(path).count, Self.split(path).first?.utf8.count ?? 0)
        let parameterized = segmentCount < self.parameterized.count ? self.parameterized[segmentCount] : []
        var parts: [Substring]?
        var allowed: [HTTPMethod] = []
        var headFallback: Int?
        var nextLiteral = 0
        var nextParameterized = 0
        // Walk both candidate lists in registration order.
        while true {
            let index: Int
            if nextLiteral < literalMatches.count,
               nextParameterized >= parameterized.count || literalMatches[nextLiteral] < parameterized[nextParameterized]
            {
                index = literalMatches[nextLiteral]
                nextLiteral += 1
            } else if nextParameterized < parameterized.count {
                index = parameterized[nextParameterized]
                nextParameterized += 1
                if let first = entries[index].firstLiteral {
                    guard first.utf8.count == firstSegmentLength, key.utf8.starts(with: first.utf8) else { continue }
                }
                if parts == nil { parts = Self.split(path) }
                guard Self.matches(entries[index].segments, parts!) else { continue }
            } else {
                break
            }
            let routeMethod = entries[index].method
            if routeMethod == method { return .found(index, parameters: capture(index, path: path, parts: &parts)) }
            if method == .head, routeMethod == .get, headFallback == nil { headFallback = index }
            if !allowed.contains(routeMethod) { allowed.append(routeMethod) }
        }
        if let index = headFallback { return .found(index, parameters: capture(index, path: path, parts: &parts)) }
        if allowed.isEmpty { return .notFound }
        if allowed.contains(.get), !allowed.contains(.head) { allowed.insert(.head, at: allowed.firstIndex(of: .get)! + 1) }
        return .methodNotAllowed(allowed)
    }

    private func capture(_ index: Int, path: String, parts: inout [Substring]?) -> [String: String] {
        let segments = entries[index].segments
        var parameters: [String: String] = [:]
        for position in segments.indices {
            if case .parameter(let name) = segments[position] {
                if parts == nil { parts = Self.split(path) }
                parameters[name] = String(parts![position])
            }
        }
        return parameters
    }

    static func matches(_ segments: [RouteSegment], _ parts: [Substring]) -> Bool {
        guard segments.count == parts.count else { return false }
        for index in segments.indices {
            switch segments[index] {
            case .literal(let literal):
                guard equal(parts[index], literal) else { return false }
            case .parameter:
                guard !parts[index].isEmpty else { return false }
            }
        }
        return true
    }

    /// Byte equality (paths are compared as sent, after percent-decoding; no Unicode folding).
    static func equal(_ part: Substring, _ literal: String) -> Bool {
        let a = part.utf8
        let b = literal.utf8
        guard a.count == b.count else { return false }
        return a.withContiguousStorageIfAvailable { x in
            b.withContiguousStorageIfAvailable { y in x.elementsEqual(y) }
        }.flatMap { $0 } ?? a.elementsEqual(b)
    }

    /// `/a/b/` → ["a", "b", ""]: the empty last element keeps the trailing slash significant.
    /// Split at the `/` bytes, as `match` counts segments: String's `split` walks Characters
    /// (grapheme breaking) on every routed request (bench/README.md, "Request path: fixed cost
    /// per request").
    static func split(_ path: String) -> [Substring] {
        var parts: [Substring] = []
        let bytes = path.utf8
        var start = bytes.startIndex
        var index = start
        while index != bytes.endIndex {
            if bytes[index] == UInt8(ascii: "/") {
                parts.append(path[start..<index])
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        parts.append(path[start...])
        if parts.first?.isEmpty == true { parts.removeFirst() }
        return parts
    }
}
