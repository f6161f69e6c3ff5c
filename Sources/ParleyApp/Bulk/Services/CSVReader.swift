#if canImport(Glibc)
import Glibc
#endif

/// RFC 4180 records from a file descriptor, read in 64 KiB chunks so a file of any size costs
/// one chunk of memory: fields separated by commas, optionally quoted (`""` is a quote inside
/// quotes, and a quoted field may span lines), records ended by LF or CRLF. A UTF-8 byte order
/// mark at the start is skipped.
struct CSVReader {
    struct Record {
        /// The physical line the record starts on (1 is the header).
        let line: Int
        let fields: [String]
    }

    /// A quote left open at the end of the input.
    struct UnterminatedQuote: Error {
        let line: Int
    }

    private let descriptor: Int32
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    private var position = 0
    private var filled = 0
    private var atEnd = false
    private var line = 1
    private var field: [UInt8] = []
    /// Bytes read from the descriptor so far (for the progress line's ETA).
    private(set) var bytesRead = 0

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The next record, or nil at the end of the input. A blank line is no record.
    mutating func next() throws -> Record? {
        while true {
            guard let first = try peek() else { return nil }
            if first == UInt8(ascii: "\n") || first == UInt8(ascii: "\r") {
                consumeLineEnd()
                continue
            }
            if line == 1, position == 0, bytesRead == filled, first == 0xEF { skipByteOrderMark() }
            return try record()
        }
    }

    private mutating func record() throws -> Record {
        let start = line
        var fields: [String] = []
        var quoted = false
        var wasQuoted = false
        field.removeAll(keepingCapacity: true)
        while true {
            guard let byte = try peek() else {
                if quoted { throw UnterminatedQuote(line: start) }
                fields.append(String(decoding: field, as: UTF8.self))
                return Record(line: start, fields: fields)
            }
            if quoted {
                position += 1
                if byte == UInt8(ascii: "\"") {
                    if try peek() == UInt8(ascii: "\"") {
                        position += 1
                        field.append(byte)
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                position += 1
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                consumeLineEnd()
                fields.append(String(decoding: field, as: UTF8.self))
                return Record(line: start, fields: fields)
            case UInt8(ascii: "\"") where field.isEmpty && !wasQuoted:
                position += 1
                quoted = true
                wasQuoted = true
            default:
                position += 1
                field.append(byte)
            }
        }
    }

    /// LF, CRLF or a lone CR.
    private mutating func consumeLineEnd() {
        let byte = chunk[position]
        position += 1
        line += 1
        if byte == UInt8(ascii: "\r"), (try? peek()) == UInt8(ascii: "\n") { position += 1 }
    }

    private mutating func skipByteOrderMark() {
        if filled >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF { position = 3 }
    }

    private mutating func peek() throws -> UInt8? {
        if position < filled { return chunk[position] }
        guard !atEnd else { return nil }
        let count = chunk.withUnsafeMutableBytes { buffer in
            var count: Int
            repeat { count = read(descriptor, buffer.baseAddress, buffer.count) } while count < 0 && errno == EINTR
            return count
        }
        guard count >= 0 else { throw CSVReadError(errno: errno) }
        guard count > 0 else {
            atEnd = true
            return nil
        }
        position = 0
        filled = count
        bytesRead += count
        return chunk[0]
    }
}

/// The input could not be read (a directory, a closed pipe…).
struct CSVReadError: Error, CustomStringConvertible {
    let errno: Int32
    var description: String { String(cString: strerror(errno)) }
}
