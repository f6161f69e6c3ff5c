import Mustache
import Testing

/// `case "name":` over a ``MustacheKey`` matches exactly the name, whatever its length: names
/// of up to 16 bytes are compared as two words, longer ones byte for byte after that.
@Suite("Mustache keys in a switch")
struct MustacheKeyTests {
    static func answer(_ name: String) -> String? {
        switch MustacheKey(name) {
        case "": "empty"
        case "x": "one byte"
        case "id": "id"
        case "ie": "ie"
        case "sixteen-bytes-ab": "sixteen"
        case "sixteen-bytes-ac": "sixteen, other last byte"
        case "unreadNotifications": "long"
        case "unreadNotificationz": "long, other last byte"
        case "héllo": "non-ASCII"
        default: nil
        }
    }

    @Test("each name matches its own case and no other", arguments: [
        ("", "empty"), ("x", "one byte"), ("id", "id"), ("ie", "ie"), ("sixteen-bytes-ab", "sixteen"),
        ("sixteen-bytes-ac", "sixteen, other last byte"), ("unreadNotifications", "long"),
        ("unreadNotificationz", "long, other last byte"), ("héllo", "non-ASCII"),
    ])
    func matches(name: String, expected: String) {
        #expect(Self.answer(name) == expected)
    }

    @Test("near misses match nothing", arguments: [
        "i", "xx", "X", "idd", "Id", "sixteen-bytes-a", "sixteen-bytes-abc", "unreadNotification", "unreadNotificationsx",
        "hello", "sixteen-bytes-ab\u{0}",
    ])
    func misses(name: String) {
        #expect(Self.answer(name) == nil)
    }

    @Test("a template's dotted names reach objects that switch over keys")
    func throughATemplate() throws {
        struct Inner: MustacheObject {
            func mustacheValue(for key: MustacheKey) -> MustacheValue? {
                switch key {
                case "aVeryLongPropertyName": .string("deep")
                default: nil
                }
            }
        }
        struct Outer: MustacheObject {
            func mustacheValue(for key: MustacheKey) -> MustacheValue? {
                switch key {
                case "inner": .object(Inner())
                default: nil
                }
            }
        }
        var library = MustacheLibrary()
        try library.register("{{inner.aVeryLongPropertyName}}|{{inner.aVeryLongPropertyNamf}}|{{#inner}}{{.aVeryLongPropertyName}}{{/inner}}", named: "t")
        let output = try #require(library.render(.object(Outer()), template: "t"))
        #expect(String(decoding: output, as: UTF8.self) == "deep||deep")
    }
}
