import FastCGI
import Foundation
import ParleyTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension SupervisorTests {
    /// The fuzzer's find (chaos/fcgi_fuzz.py), end to end: each of these killed a worker before
    /// the record inspector walked past the records libfcgi answers or skips.
    @Test("the CVE-2025-23016 record behind a management record or another request's record is refused: no worker dies")
    func smuggledCraftedParams() throws {
        let (server, socket) = try startServer()
        defer { server.terminate() }
        let before = workerPIDs(of: server.pid)
        let header = { (type: UInt8, id: UInt8, content: [UInt8]) -> [UInt8] in [1, type, 0, id, 0, UInt8(content.count), 0, 0] + content }
        let crafted = header(4, 1, [0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFE] + Array(repeating: 0x41, count: 56)) + header(4, 1, [])
        let inFront: [[UInt8]] = [
            header(11, 0, Array(repeating: 0, count: 8)),  // UNKNOWN_TYPE, a management record
            header(10, 0, []),  // GET_VALUES_RESULT
            header(5, 2, Array("abc".utf8)),  // STDIN of request 2
            header(8, 7, Array("abc".utf8)),  // DATA of request 7
        ]
        for record in inFront {
            let client = try FastCGIClient(unixPath: socket)
            try client.begin()
            let bytes = record + crafted
            _ = bytes.withUnsafeBytes { write(client.fd, $0.baseAddress, $0.count) }
            #expect((try? client.readSome(1))?.isEmpty ?? true, "the connection is closed unanswered")
        }
        for _ in 0..<10 { #expect(try get(socket, "/healthz").status == 200) }
        #expect(workerPIDs(of: server.pid) == before)
        #expect(try status(socket)["worker restarts"] == "0")
    }

    /// What the inspector cannot see: libfcgi parses a GET_VALUES management record that comes
    /// inside a request's body with the same unchecked lengths, and aborts. The crash is
    /// libfcgi's; the worker-process design contains it.
    @Test("a GET_VALUES record with the CVE lengths inside a body costs only its worker: the others answer, and it is replaced")
    func managementRecordInBody() throws {
        let (server, socket) = try startServer()
        defer { server.terminate() }
        let before = workerPIDs(of: server.pid)
        let header = { (type: UInt8, id: UInt8, content: [UInt8]) -> [UInt8] in [1, type, 0, id, 0, UInt8(content.count), 0, 0] + content }
        let client = try FastCGIClient(unixPath: socket)
        try client.begin()
        try client.sendParams(FastCGIClient.params(method: "POST", uri: "/api/token/", headers: ["Content-Type": "application/json"], contentLength: 10))
        let bytes = header(5, 1, Array("01234".utf8)) + header(9, 0, [0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFE] + Array(repeating: 0x41, count: 56))
            + header(5, 1, Array("56789".utf8)) + header(5, 1, [])
        _ = bytes.withUnsafeBytes { write(client.fd, $0.baseAddress, $0.count) }
        _ = try? client.readSome(1)
        // The other worker answers all along; the dead one is replaced.
        for _ in 0..<10 { #expect(try get(socket, "/healthz").status == 200) }
        try waitUntil(timeout: 15) { workerPIDs(of: server.pid).count == 2 && workerPIDs(of: server.pid) != before }
        #expect(try status(socket)["worker restarts"] == "1")
        for _ in 0..<10 { #expect(try get(socket, "/healthz").status == 200) }
    }
}
