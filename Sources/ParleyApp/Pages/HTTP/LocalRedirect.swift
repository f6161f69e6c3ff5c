/// Where a `?next=` may send the browser after log-in: a path on this site, nothing else.
///
/// Accepted: `/` followed by printable ASCII, not starting with `//` (a network-path
/// reference: another host) and with no backslash anywhere (browsers read `/\evil` as
/// `//evil`), no control characters or spaces (some are dropped by browsers, turning
/// `/<tab>/evil` into `//evil`), and not through the API or back to the log-in.
enum LocalRedirect {
    static func validated(_ target: String?) -> String? {
        guard let target, target.utf8.count <= 2048, target.hasPrefix("/"), !target.hasPrefix("//") else { return nil }
        guard target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else { return nil }
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
        if path == "/api" || path.hasPrefix("/api/") || path == "/login" || path == "/signup" { return nil }
        return target
    }

    /// `target` if valid, else `fallback`.
    static func destination(_ target: String?, fallback: String = "/inbox") -> String {
        validated(target) ?? fallback
    }
}
