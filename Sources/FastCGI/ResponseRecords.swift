/// A whole response as the FastCGI records that carry it: STDOUT records of at most 65,535
/// content bytes, the empty STDOUT record that ends the stream, and FCGI_END_REQUEST (status 0,
/// request complete). ``FastCGIRequest/writeResponse(_:_:)`` sends them in one write.
///
/// No padding: FastCGI makes it optional, and nginx reads records of any length.
enum ResponseRecords {
    static let maxContent = 65_535
    static let headerLength = 8
    /// Record types.
    static let stdout: UInt8 = 6  // FCGI_STDOUT
    static let endRequest: UInt8 = 3  // FCGI_END_REQUEST
    /// The EOF record and FCGI_END_REQUEST (8-byte header, 8-byte body).
    static let trailerLength = 8 + 16

    /// Bytes needed to frame `contentLength` bytes.
    static func byteCount(contentLength: Int) -> Int {
        let records = (contentLength + maxContent - 1) / maxContent
        return contentLength + records * headerLength + trailerLength
    }

    /// Frames `first` then `second` (as one stream of content) for `requestID` at `output`, which
    /// has room for ``byteCount(contentLength:)``; returns the bytes written.
    static func write(
        requestID: Int, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, to output: UnsafeMutableRawPointer
    ) -> Int {
        var at = 0
        var remainingFirst = first
        var remainingSecond = second
        while remainingFirst.count + remainingSecond.count > 0 {
            let length = min(maxContent, remainingFirst.count + remainingSecond.count)
            writeHeader(type: stdout, requestID: requestID, contentLength: length, to: output + at)
            at += headerLength
            let fromFirst = min(length, remainingFirst.count)
            at += take(fromFirst, of: &remainingFirst, to: output + at)
            at += take(length - fromFirst, of: &remainingSecond, to: output + at)
        }
        writeHeader(type: stdout, requestID: requestID, contentLength: 0, to: output + at)  // end of the stream
        at += headerLength
        writeHeader(type: endRequest, requestID: requestID, contentLength: 8, to: output + at)
        at += headerLength
        (output + at).initializeMemory(as: UInt8.self, repeating: 0, count: 8)  // app status 0, FCGI_REQUEST_COMPLETE
        return at + 8
    }

    /// Copies the first `count` bytes of `part` to `output` and drops them from `part`.
    private static func take(_ count: Int, of part: inout UnsafeRawBufferPointer, to output: UnsafeMutableRawPointer) -> Int {
        guard count > 0 else { return 0 }
        output.copyMemory(from: part.baseAddress!, byteCount: count)
        part = UnsafeRawBufferPointer(rebasing: part[count...])
        return count
    }

    private static func writeHeader(type: UInt8, requestID: Int, contentLength: Int, to output: UnsafeMutableRawPointer) {
        let bytes = output.assumingMemoryBound(to: UInt8.self)
        bytes[0] = 1
        bytes[1] = type
        bytes[2] = UInt8(truncatingIfNeeded: requestID >> 8)
        bytes[3] = UInt8(truncatingIfNeeded: requestID)
        bytes[4] = UInt8(truncatingIfNeeded: contentLength >> 8)
        bytes[5] = UInt8(truncatingIfNeeded: contentLength)
        bytes[6] = 0
        bytes[7] = 0
    }
}
