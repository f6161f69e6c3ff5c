import Testing
@testable import Web

@Suite("Router: a path's segments")
struct RouteSplitTests {
    @Test("split at each / byte, the leading one dropped, a trailing one kept as an empty segment", arguments: [
        ("", [String]()),
        ("/", [""]),
        ("//", ["", ""]),
        ("/api/conversations/00000000-0000-4000-a000-000000000005/messages/", ["api", "conversations", "00000000-0000-4000-a000-000000000005", "messages", ""]),
        ("a/b", ["a", "b"]),
        ("/é/ü?/日本", ["é", "ü?", "日本"]),
        // A / followed by a combining mark is one Character but still a / byte: split here, as
        // the router counts segments by bytes (String's Character split would not).
        ("/a/\u{338}b", ["a", "\u{338}b"]),
    ])
    func split(path: String, expected: [String]) {
        #expect(RouteTable.split(path).map(String.init) == expected)
    }
}
