import Testing
@testable import Web

@Suite("logfmt quoting")
struct LogfmtLogHandlerTests {
    @Test("values are quoted only when they must be, and escaped inside quotes", arguments: [
        ("plain", "plain"),
        ("/api/users/42", "/api/users/42"),
        ("café", "café"),
        ("", #""""#),
        ("two words", #""two words""#),
        ("a=b", #""a=b""#),
        (#"say "hi""#, #""say \"hi\"""#),
        ("line1\nline2", #""line1\nline2""#),
        ("forged\nts=1 level=error msg=x", #""forged\nts=1 level=error msg=x""#),
        ("tab\there", #""tab\u{9}here""#),
        ("cr\rhere", #""cr\u{d}here""#),
        (#"back\slash"#, #"back\slash"#),
        (#"back\ slash"#, #""back\\ slash""#),
    ])
    func quote(value: String, expected: String) {
        #expect(LogfmtLogHandler.quote(value) == expected)
    }

    @Test("a quoted value never contains a raw line break, so one event is one line", arguments: [
        "a\nb", "a\r\nb", "\n", "x\u{0}y",
    ])
    func oneLine(value: String) {
        let quoted = LogfmtLogHandler.quote(value)
        #expect(!quoted.utf8.contains { $0 < 0x20 })
    }

    @Test("handler metadata is settable per logger")
    func metadata() {
        var handler = LogfmtLogHandler(label: "parley", level: .notice)
        handler[metadataKey: "request_id"] = "abc"
        #expect(handler[metadataKey: "request_id"] == "abc")
        #expect(handler.logLevel == .notice)
    }
}
