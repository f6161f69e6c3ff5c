@testable import FastCGI
import Testing

/// The checks made on a request's records before libfcgi reads them.
@Suite("record inspector")
struct RecordInspectorTests {
    let inspector = RecordInspector(maxParams: 10, maxParamBytes: 1024)

    static func record(_ type: UInt8, _ content: [UInt8]) -> [UInt8] {
        [1, type, 0, 1, UInt8(content.count >> 8), UInt8(content.count & 0xFF), 0, 0] + content
    }

    static func pair(_ name: String, _ value: String) -> [UInt8] {
        [UInt8(name.utf8.count), UInt8(value.utf8.count)] + Array(name.utf8) + Array(value.utf8)
    }

    static let begin = record(1, [0, 1, 1, 0, 0, 0, 0, 0])

    func examine(_ bytes: [UInt8]) -> RecordInspector.Step {
        bytes.withUnsafeBytes { inspector.examine($0) }
    }

    @Test("params in one record, or split across several (even inside a pair), are accepted")
    func acceptable() {
        let params = Self.pair("REQUEST_METHOD", "GET") + Self.pair("REQUEST_URI", "/healthz")
        #expect(examine(Self.begin + Self.record(4, params) + Self.record(4, [])) == .done(.acceptable))
        let split = Self.begin + Self.record(4, Array(params[..<5])) + Self.record(4, Array(params[5...])) + Self.record(4, [])
        #expect(examine(split) == .done(.acceptable))
    }

    @Test("records not all there yet ask for the bytes still needed")
    func needsMore() {
        let params = Self.record(4, Self.pair("A", "B"))
        #expect(examine(Self.begin + Array(params[..<4])) == .needs(Self.begin.count + 8))
        #expect(examine(Self.begin + params) == .needs(Self.begin.count + params.count + 8))
    }

    @Test("CVE-2025-23016 lengths, too many params, a cut pair and oversized params are refused")
    func refused() {
        let crafted: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFE, 0x41, 0x41]
        let cases: [[UInt8]] = [
            crafted,
            (0..<11).flatMap { Self.pair("P\($0)", "v") },
            Array(Self.pair("NAME", "value").dropLast(2)),
            [0x80, 0, 0x08, 0] + [1] + Array(repeating: 0x41, count: 100),
        ]
        for params in cases {
            guard case .done(.refused) = examine(Self.begin + Self.record(4, params) + Self.record(4, [])) else {
                Issue.record("accepted \(params.prefix(12))")
                continue
            }
        }
        // Over the byte limit across records.
        let big = Self.record(4, Array(repeating: 0x41, count: 600))
        guard case .done(.refused) = examine(Self.begin + big + big) else { Issue.record("accepted 1,200 bytes of params"); return }
    }
}
