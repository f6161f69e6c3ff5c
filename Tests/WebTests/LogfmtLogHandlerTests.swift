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

@Suite("logfmt lines")
struct LogfmtLineTests {
    /// The line without its timestamp.
    static func body(_ line: [UInt8]) -> String {
        let text = String(decoding: line, as: UTF8.self)
        return String(text.drop { $0 != " " })
    }

    @Test("the access log's fast path writes the line log(event:) would", arguments: [
        (Optional("203.0.113.9"), Optional("u-1")), (nil, nil),
    ])
    func fastPathMatches(remoteAddress: String?, user: String?) {
        var handler = LogfmtLogHandler(label: "parley")
        handler[metadataKey: "request_id"] = "from-handler"
        handler[metadataKey: "worker"] = "3"
        handler[metadataKey: "a_first"] = "x y"
        let entry = AccessLogEntry(
            bytes: 12, microseconds: 250, method: "GET", path: "/a b", remoteAddress: remoteAddress,
            requestID: "abc", status: 200, user: user)
        var metadata = handler.metadata
        metadata["bytes"] = "12"
        metadata["duration_ms"] = "0.25"
        metadata["method"] = "GET"
        metadata["path"] = "/a b"
        metadata["remote_addr"] = remoteAddress.map { .string($0) }
        metadata["request_id"] = "abc"
        metadata["status"] = "200"
        metadata["user"] = user.map { .string($0) }
        var sorted = metadata.map { (key: $0.key, value: LogfmtLogHandler.text($0.value)) }
        sorted.sort { LogfmtLogHandler.isOrdered($0.key, before: $1.key) }
        let generic = handler.line(level: .info, message: "request", sortedFields: sorted)
        let fast = handler.accessLine(entry)
        #expect(Self.body(fast) == Self.body(generic))
        if let remoteAddress, let user {
            #expect(Self.body(fast) == #" level=info logger=parley msg=request a_first="x y" bytes=12 duration_ms=0.25 method=GET path="/a b" remote_addr=\#(remoteAddress) request_id=abc status=200 user=\#(user) worker=3"# + "\n")
        }
    }

    @Test("the timestamp is UTC with milliseconds")
    func timestamp() {
        let text = LogfmtLogHandler.timestamp()
        #expect(text.count == 24)
        #expect(text.hasSuffix("Z"))
        #expect(text.dropFirst(10).first == "T")
    }

    @Test("durations as milliseconds with up to three decimals", arguments: [
        (Int64(0), "0.0"), (5, "0.005"), (1000, "1.0"), (1234, "1.234"), (1200, "1.2"), (60_000_010, "60000.01"),
    ])
    func milliseconds(microseconds: Int64, text: String) {
        #expect(AccessLog.millisecondsText(microseconds) == text)
        #expect(Double(text) != nil)
    }
}
