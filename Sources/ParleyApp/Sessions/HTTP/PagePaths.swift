/// Which paths are pages (sessions, CSRF, page headers) rather than the JSON API.
enum PagePaths {
    static func isPage(_ path: String) -> Bool {
        !(path == "/api" || path.hasPrefix("/api/"))
    }

    /// The conversation page, `/conversations/<id>`: its GET carries the session check in its
    /// read (``DeferredSession``), so its handler keys that read by ``Pages/requireUserID``.
    static func readsWithSessionCheck(_ path: String) -> Bool {
        let prefix = "/conversations/"
        let id = path.utf8.dropFirst(prefix.utf8.count)
        return id.count == 36 && path.hasPrefix(prefix) && !id.contains(UInt8(ascii: "/"))
    }
}
