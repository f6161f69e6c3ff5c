/// How errors look to the client: JSON under the application's API paths, an HTML page
/// elsewhere. The application says which paths are its API (``Application/init(router:middleware:errorPages:jsonErrorPathPrefixes:)``);
/// the Web layer assumes none.
package struct ErrorRendering: Sendable {
    /// Each prefix as a path of its own (`/api`) and as the start of the paths below it (`/api/`),
    /// built once so that matching a request allocates nothing.
    private let jsonPaths: [(path: String, below: String)]
    /// The HTML page for every other path.
    package let page: ErrorPageRenderer

    /// - Parameter jsonPathPrefixes: paths without a trailing slash (`/api`); the path itself and
    ///   every path below it (`/api/…`, not `/apiary`) get JSON error bodies.
    package init(jsonPathPrefixes: [String], page: ErrorPageRenderer) {
        jsonPaths = jsonPathPrefixes.map { ($0, $0 + "/") }
        self.page = page
    }

    package func wantsJSON(_ request: Request) -> Bool {
        let path = request.path
        for prefix in jsonPaths where path.hasPrefix(prefix.below) || path == prefix.path {
            return true
        }
        return false
    }
}
