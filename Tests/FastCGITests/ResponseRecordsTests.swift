@testable import FastCGI
import Testing

/// The records `FastCGIRequest.writeResponse` sends: a response of any size reads back whole,
/// in order, with the end of the stream and FCGI_END_REQUEST after it.
@Suite("Response records")
struct ResponseRecordsTests {
    @Test("head and body, split at 65,535-byte records, read back whole", arguments: [
        (0, 0), (40, 0), (40, 1), (200, 8_000), (200, 65_335), (200, 65_336), (65_535, 1), (70_000, 200_001),
    ])
    func roundTrip(headLength: Int, bodyLength: Int) throws {
        let head = (0..<headLength).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let body = (0..<bodyLength).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
        let size = ResponseRecords.byteCount(contentLength: headLength + bodyLength)
        var framed = [UInt8](repeating: 0xAA, count: size)
        let written = head.withUnsafeBytes { h in
            body.withUnsafeBytes { b in
                framed.withUnsafeMutableBytes { ResponseRecords.write(requestID: 0x1234, h, b, to: $0.baseAddress!) }
            }
        }
        #expect(written == size)

        var content: [UInt8] = []
        var offset = 0
        var records: [(type: UInt8, length: Int)] = []
        while offset < written {
            let header = Array(framed[offset..<offset + 8])
            #expect(header[0] == 1)
            #expect(Int(header[2]) << 8 | Int(header[3]) == 0x1234)
            let length = Int(header[4]) << 8 | Int(header[5])
            let padding = Int(header[6])
            records.append((header[1], length))
            if header[1] == 6 { content += framed[offset + 8..<offset + 8 + length] }
            if header[1] == 3 { #expect(framed[offset + 8..<offset + 16].allSatisfy { $0 == 0 }, "app status 0, request complete") }
            offset += 8 + length + padding
        }
        #expect(offset == written)
        #expect(content == head + body)
        #expect(records.last?.type == 3 && records.last?.length == 8)
        #expect(records.dropLast().last?.type == 6 && records.dropLast().last?.length == 0, "the empty STDOUT record ends the stream")
        #expect(records.dropLast(2).allSatisfy { $0.type == 6 && $0.length > 0 && $0.length <= 65_535 })
    }
}
