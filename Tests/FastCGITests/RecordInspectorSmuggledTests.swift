@testable import FastCGI
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Found by the FastCGI fuzzer (chaos/fcgi_fuzz.py): CVE-2025-23016's lengths behind a record
/// that libfcgi answers or skips (a management record, another request's record), and random
/// records before the params, reached libfcgi unchecked and killed the worker. Before the params
/// end the inspector now lets through only what nginx sends: a BEGIN_REQUEST, then its PARAMS.
@Suite("record inspector: params behind other records")
struct RecordInspectorSmuggledTests {
    let inspector = RecordInspector(maxParams: 10, maxParamBytes: 1024)

    static func record(_ type: UInt8, id: UInt16 = 1, _ content: [UInt8] = [], version: UInt8 = 1) -> [UInt8] {
        [version, type, UInt8(id >> 8), UInt8(id & 0xFF), UInt8(content.count >> 8), UInt8(content.count & 0xFF), 0, 0] + content
    }

    static func begin(_ id: UInt16 = 1) -> [UInt8] { record(1, id: id, [0, 1, 0, 0, 0, 0, 0, 0]) }

    /// The CVE record and the empty PARAMS that ends the stream.
    static let crafted = record(4, [0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFE] + Array(repeating: 0x41, count: 56)) + record(4)

    func examine(_ bytes: [UInt8]) -> RecordInspector.Step {
        bytes.withUnsafeBytes { inspector.examine($0) }
    }

    @Test("the CVE lengths are refused behind any record libfcgi answers or skips", arguments: [
        ("UNKNOWN_TYPE management record", record(11, id: 0, Array(repeating: 0, count: 8))),
        ("GET_VALUES_RESULT management record", record(10, id: 0)),
        ("unknown type, request id 0", record(200, id: 0, Array("xyz".utf8))),
        ("empty GET_VALUES", record(9, id: 0)),
        ("STDIN of another request", record(5, id: 2, Array("abc".utf8))),
        ("DATA of another request", record(8, id: 7, Array("abc".utf8))),
        ("empty PARAMS of another request", record(4, id: 2)),
        ("ABORT of another request", record(2, id: 3)),
        ("a second BEGIN_REQUEST", begin(2)),
    ])
    func smuggled(_ name: String, _ before: [UInt8]) {
        guard case .done(.refused) = examine(Self.begin() + before + Self.crafted) else {
            Issue.record("accepted the CVE record behind \(name)")
            return
        }
    }

    @Test("a record before the BEGIN_REQUEST is refused, whatever follows")
    func beforeBegin() {
        guard case .done(.refused) = examine(Self.record(5, id: 9, [1, 2, 3]) + Self.begin() + Self.crafted) else {
            Issue.record("accepted")
            return
        }
    }

    @Test("what nginx never sends before the params end is refused: another version, a BEGIN_REQUEST with id 0, STDIN, a GET_VALUES")
    func onlyBeginAndParams() {
        let cases: [[UInt8]] = [
            Self.begin() + Self.record(4, [1, 1, 0x41, 0x42], version: 2) + Self.record(4),
            Self.begin(0) + Self.record(4),
            Self.begin() + Self.record(5, Array("body".utf8)) + Self.record(4),
            Self.record(9, id: 0) + Self.begin() + Self.record(4),
            Self.begin() + Self.record(4, id: 2) + Self.record(4),
        ]
        for bytes in cases {
            guard case .done(.refused) = examine(bytes) else {
                Issue.record("accepted \(bytes.prefix(24))")
                continue
            }
        }
        // What nginx sends is still fine, a request id other than 1 included.
        #expect(examine(Self.begin(7) + Self.record(4, id: 7, [1, 1, 0x41, 0x42]) + Self.record(4, id: 7)) == .done(.acceptable))
    }

    @Test("a peer that closes in the middle of a record is refused at once, not after the whole timeout")
    func closedMidRecord() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]) }
        let bytes = Self.begin() + Array(Self.record(4, Array(repeating: 0x41, count: 100)).prefix(50))
        #expect(bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) } == bytes.count)
        close(fds[1])
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: inspector.window, alignment: 8)
        defer { buffer.deallocate() }
        let started = ContinuousClock.now
        #expect(inspector.inspect(fd: fds[0], buffer: buffer, timeout: .seconds(5)) == .refused("the peer closed in the middle of a record"))
        #expect(ContinuousClock.now - started < .seconds(1))
    }
}
