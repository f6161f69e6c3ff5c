#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import Logging
import Synchronization

/// A swift-log handler that writes one logfmt line per event to stderr:
/// `ts=2026-11-26T07:45:28.123Z level=info logger=parley msg=request method=GET status=200 …`.
/// Easy for people to read and for log shippers to parse. Lines are written whole, under a lock.
public struct LogfmtLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String

    public init(label: String, level: Logger.Level = .info) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Handler metadata, overridden by the event's; keys in order.
        var fields: [(key: String, value: String)] = []
        fields.reserveCapacity(metadata.count + (event.metadata?.count ?? 0))
        for (key, value) in metadata where event.metadata?[key] == nil { fields.append((key, Self.text(value))) }
        if let extra = event.metadata { for (key, value) in extra { fields.append((key, Self.text(value))) } }
        fields.sort { Self.isOrdered($0.key, before: $1.key) }
        Self.write(line(level: event.level, message: event.message.description, sortedFields: fields))
    }

    /// The access log line (``AccessLog``): what `log(event:)` writes for these fields as
    /// metadata, written straight into the line's bytes.
    func logAccess(_ entry: AccessLogEntry) {
        Self.write(accessLine(entry))
    }

    func accessLine(_ entry: AccessLogEntry) -> [UInt8] {
        var line = head(level: .info, message: "request")
        // The handler's own metadata (the request id the context set, usually) merged in key
        // order; the entry's fields win.
        var extra: [(key: String, value: String)] = []
        for (key, value) in metadata where !AccessLogEntry.keys.contains(key) { extra.append((key, Self.text(value))) }
        if extra.count > 1 { extra.sort { Self.isOrdered($0.key, before: $1.key) } }
        var next = 0
        for index in AccessLogEntry.keys.indices where entry.isPresent(index) {
            let key = AccessLogEntry.keys[index]
            while next < extra.count, Self.isOrdered(extra[next].key, before: key) {
                Self.appendField(extra[next].key, extra[next].value, to: &line)
                next += 1
            }
            line.append(UInt8(ascii: " "))
            line.appendUTF8(key)
            line.append(UInt8(ascii: "="))
            entry.appendValue(index, to: &line)
        }
        while next < extra.count {
            Self.appendField(extra[next].key, extra[next].value, to: &line)
            next += 1
        }
        line.append(UInt8(ascii: "\n"))
        return line
    }

    static func appendField(_ key: String, _ value: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: " "))
        line.appendUTF8(key)
        line.append(UInt8(ascii: "="))
        appendQuoted(value, to: &line)
    }

    static func appendDecimal(_ value: Int, to line: inout [UInt8]) {
        if value >= 0, value < 10 {
            line.append(UInt8(ascii: "0") + UInt8(value))
        } else {
            line.appendUTF8(String(value))
        }
    }

    static func text(_ value: Logger.Metadata.Value) -> String {
        if case .string(let text) = value { return text }
        return value.description
    }

    /// `ts=… level=… logger=… msg=… key=value…` and a newline, as bytes.
    func line(level: Logger.Level, message: String, sortedFields fields: [(key: String, value: String)]) -> [UInt8] {
        var line = head(level: level, message: message)
        for field in fields {
            line.append(UInt8(ascii: " "))
            line.appendUTF8(field.key)
            line.append(UInt8(ascii: "="))
            Self.appendQuoted(field.value, to: &line)
        }
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// `ts=… level=… logger=… msg=…`: built as bytes in one buffer and written with one
    /// write(2), since it runs once per request (the access log).
    func head(level: Logger.Level, message: String) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(320)
        line.appendUTF8("ts=")
        Self.appendTimestamp(to: &line)
        line.appendUTF8(" level=")
        line.appendUTF8(level.rawValue)
        line.appendUTF8(" logger=")
        Self.appendQuoted(label, to: &line)
        line.appendUTF8(" msg=")
        Self.appendQuoted(message, to: &line)
        return line
    }

    static func write(_ line: [UInt8]) {
        output.withLock { _ in
            line.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }

    /// Byte order of the UTF-8 keys (code point order, as String's `<` for the ASCII keys logs use).
    static func isOrdered(_ a: String, before b: String) -> Bool {
        a.withUTF8Bytes { a in b.withUTF8Bytes { b in a.lexicographicallyPrecedes(b) } }
    }

    static let output = Mutex(())

    static func quote(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendQuoted(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value`, quoted (and escaped) only when it must be: empty, or holding a space,
    /// `=`, `"` or a control character.
    static func appendQuoted(_ value: String, to line: inout [UInt8]) {
        value.withUTF8Bytes { appendQuoted($0, to: &line) }
    }

    static func appendQuoted(_ value: UnsafeBufferPointer<UInt8>, to line: inout [UInt8]) {
        let needsQuotes = value.isEmpty || value.contains { $0 == 0x20 || $0 == 0x3D || $0 == 0x22 || $0 < 0x20 }
        guard needsQuotes else {
            line.append(contentsOf: value)
            return
        }
        line.append(UInt8(ascii: "\""))
        for byte in value {
            switch byte {
            case UInt8(ascii: "\""): line.appendUTF8(#"\""#)
            case UInt8(ascii: "\\"): line.appendUTF8(#"\\"#)
            case UInt8(ascii: "\n"): line.appendUTF8(#"\n"#)
            case _ where byte < 0x20:
                line.appendUTF8(#"\u{"#)
                line.appendUTF8(String(byte, radix: 16))
                line.append(UInt8(ascii: "}"))
            default: line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    static func timestamp() -> String {
        var bytes: [UInt8] = []
        appendTimestamp(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `2026-11-26T07:45:28.123Z` (UTC, milliseconds).
    static func appendTimestamp(to line: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var time = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &time)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                line.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(time.tm_year) + 1900, 4)
        line.append(UInt8(ascii: "-"))
        digits(Int(time.tm_mon) + 1, 2)
        line.append(UInt8(ascii: "-"))
        digits(Int(time.tm_mday), 2)
        line.append(UInt8(ascii: "T"))
        digits(Int(time.tm_hour), 2)
        line.append(UInt8(ascii: ":"))
        digits(Int(time.tm_min), 2)
        line.append(UInt8(ascii: ":"))
        digits(Int(time.tm_sec), 2)
        line.append(UInt8(ascii: "."))
        digits(Int(now.tv_nsec / 1_000_000), 3)
        line.append(UInt8(ascii: "Z"))
    }
}
