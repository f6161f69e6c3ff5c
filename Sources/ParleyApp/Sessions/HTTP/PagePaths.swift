/// Which paths are pages (sessions, CSRF, page headers) rather than the JSON API.
enum PagePaths {
    static func isPage(_ path: String) -> Bool {
        !(path == "/api" || path.hasPrefix("/api/"))
    }
}
