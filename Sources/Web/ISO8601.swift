import CivilTime
import FoundationEssentials

/// ISO 8601 timestamps (`2026-11-26T07:45:28.123Z`: UTC, milliseconds), parsed with or
/// without fractional seconds.
public enum ISO8601 {
    public static func string(from date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the timestamp's text: the same text as `ISO8601DateFormatter` with
    /// `[.withInternetDateTime, .withFractionalSeconds]`, computed directly (a formatter costs
    /// more to create than a response to encode). JSONWriterTests compares the two.
    public static func append(_ date: Date, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { scratch in
            let count = write(date, into: scratch.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress!, count: count))
        }
    }

    static func append(_ date: Date, to buffer: inout ByteBuffer) {
        buffer.write(maximum: 32) { write(date, into: $0) }
    }

    /// Writes the text (at most 32 bytes; 24 for years 1600…9999) and returns its length.
    static func write(_ date: Date, into output: UnsafeMutablePointer<UInt8>) -> Int {
        // Milliseconds since 1970, rounded to the nearest (halves upwards), as the formatter does.
        let milliseconds = ((date.timeIntervalSinceReferenceDate + 978_307_200.0) * 1000.0 + 0.5).rounded(.down)
        // Years 1600…9999 (Foundation's calendar is Julian before 1582; ISO needs 4 digits).
        guard milliseconds >= -11_676_096_000_000, milliseconds < 253_402_300_800_000 else {
            let text = Array(distantText(milliseconds: milliseconds).utf8.prefix(32))
            output.initialize(from: text, count: text.count)
            return text.count
        }
        let (year, month, day, millisecondOfDay) = civil(milliseconds: Int64(milliseconds))

        var at = 0
        func put(_ byte: UInt8) {
            output[at] = byte
            at += 1
        }
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                put(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: (value / divisor) % 10))
                divisor /= 10
            }
        }
        digits(year, 4)
        put(UInt8(ascii: "-"))
        digits(month, 2)
        put(UInt8(ascii: "-"))
        digits(day, 2)
        put(UInt8(ascii: "T"))
        digits(millisecondOfDay / 3_600_000, 2)
        put(UInt8(ascii: ":"))
        digits(millisecondOfDay / 60_000 % 60, 2)
        put(UInt8(ascii: ":"))
        digits(millisecondOfDay / 1000 % 60, 2)
        put(UInt8(ascii: "."))
        digits(millisecondOfDay % 1000, 3)
        put(UInt8(ascii: "Z"))
        return at
    }

    /// The UTC calendar fields of `date` (proleptic Gregorian, years 1600…9999; nil outside),
    /// whole seconds (fractions dropped), without Calendar: for pages that show a date.
    public static func utcFields(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)? {
        let seconds = (date.timeIntervalSinceReferenceDate + 978_307_200.0).rounded(.down)
        guard seconds >= -11_676_096_000, seconds < 253_402_300_800 else { return nil }
        let (year, month, day, millisecondOfDay) = civil(milliseconds: Int64(seconds) * 1000)
        return (Int(year), Int(month), Int(day), Int(millisecondOfDay / 3_600_000), Int(millisecondOfDay / 60_000 % 60), Int(millisecondOfDay / 1000 % 60))
    }

    /// Milliseconds since 1970 → civil date and the millisecond of the day.
    private static func civil(milliseconds total: Int64) -> (year: Int64, month: Int64, day: Int64, millisecondOfDay: Int64) {
        let (days, millisecondOfDay) = CivilDate.floorDivide(total, 86_400_000)
        let date = CivilDate(daysSinceUnixEpoch: days)
        return (date.year, date.month, date.day, millisecondOfDay)
    }

    /// The text of a moment outside years 1600…9999 as ISO8601DateFormatter wrote it: the
    /// calendar's fields (Julian before 1582, the year of its era), four digits or more.
    private static func distantText(milliseconds: Double) -> String {
        let seconds = (milliseconds / 1000).rounded(.down)
        let parts = gregorian.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        let fields = [parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second].map { $0 ?? 0 }
        let millisecond = Int(milliseconds - seconds * 1000)
        return String(fields[0], zeroPaddedTo: 4) + "-" + String(fields[1], zeroPaddedTo: 2) + "-" + String(fields[2], zeroPaddedTo: 2)
            + "T" + String(fields[3], zeroPaddedTo: 2) + ":" + String(fields[4], zeroPaddedTo: 2) + ":" + String(fields[5], zeroPaddedTo: 2)
            + "." + String(millisecond, zeroPaddedTo: 3) + "Z"
    }

    /// Foundation's Gregorian calendar in UTC: Julian before 1582-10-15, as ICU's was.
    private static let gregorian: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()

    /// The moment of an ISO 8601 timestamp, what ISO8601DateFormatter with
    /// `[.withInternetDateTime]` (and `.withFractionalSeconds`) accepted: `YYYY-MM-DDThh:mm:ss`,
    /// an optional fraction (kept to the millisecond, truncated), then `Z` or an offset (`+02:00`,
    /// `+0200`, `+02`, optionally after `GMT`/`UTC`). As ICU did, it skips white space before the
    /// text and the zone, ignores what follows the zone, and lets a day run past its month's end
    /// (November 31 is December 1). ISO8601ParsingTests compares it with Foundation.
    public static func date(from string: String) -> Date? {
        var parser = TimestampParser(bytes: Array(string.utf8))
        guard let fields = parser.parse() else { return nil }
        var components = DateComponents(
            year: fields.year, month: fields.month, day: fields.day, hour: fields.hour, minute: fields.minute, second: fields.second)
        components.calendar = gregorian
        guard let start = gregorian.date(from: components) else { return nil }
        let milliseconds = (Int64(start.timeIntervalSince1970) - Int64(fields.offset)) * 1000 + Int64(fields.millisecond)
        return Date(timeIntervalSinceReferenceDate: Double(milliseconds) / 1000.0 - 978_307_200.0)
    }
}

/// The fields of `YYYY-MM-DDThh:mm:ss[.fff…](Z|±hh[[:]mm[[:]ss]])`, range-checked as
/// ISO8601DateFormatter checked them.
private struct TimestampParser {
    let bytes: [UInt8]
    var index = 0

    mutating func parse() -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int, offset: Int)? {
        skipSpaces()
        guard let year = number(digits: 4...4), skip("-"), let month = number(digits: 1...2), (1...12).contains(month),
              skip("-"), let day = number(digits: 1...2), (1...31).contains(day), skip("T"),
              let hour = number(digits: 1...2), (0...24).contains(hour), skip(":"),
              let minute = number(digits: 1...2), (0...59).contains(minute), skip(":"),
              let second = number(digits: 1...2), (0...59).contains(second)
        else { return nil }
        var millisecond = 0
        if skip(".") {
            let start = index
            while let digit = digit() {
                if index - start <= 3 { millisecond = millisecond * 10 + digit }
            }
            guard index > start else { return nil }
            for _ in 0..<max(0, 3 - (index - start)) { millisecond *= 10 }
        }
        skipSpaces()
        guard let offset = zone() else { return nil }
        return (year, month, day, hour, minute, second, millisecond, offset)
    }

    /// `Z`, `z`, or an offset east of UTC in seconds, after an optional `GMT`, `UTC` or `UT`.
    private mutating func zone() -> Int? {
        if skip("Z") || skip("z") { return 0 }
        let named = skip("GMT") || skip("UTC") || skip("UT")
        let sign: Int
        if skip("+") {
            sign = 1
        } else if skip("-") {
            sign = -1
        } else {
            return named ? 0 : nil
        }
        guard let hours = twoDigits(), hours <= 23 else { return nil }
        var seconds = hours * 3600
        let colon = skip(":")
        if let minutes = twoDigits() {
            guard minutes <= 59 else { return nil }
            seconds += minutes * 60
            if (colon ? skip(":") : true), let rest = twoDigits() {
                guard rest <= 59 else { return nil }
                seconds += rest
            }
        } else if colon {
            return nil
        }
        return sign * seconds
    }

    private mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == 0x20 || (0x09...0x0D).contains(bytes[index]) { index += 1 }
    }

    private mutating func skip(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = text.withUTF8Buffer { bytes[index..<index + count].elementsEqual($0) }
        if matches { index += count }
        return matches
    }

    private mutating func digit() -> Int? {
        guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { return nil }
        index += 1
        return Int(bytes[index - 1] - 0x30)
    }

    /// Two ASCII digits, whatever follows them (`+0530`).
    private mutating func twoDigits() -> Int? {
        guard index + 2 <= bytes.count, let tens = digit() else { return nil }
        guard let units = digit() else {
            index -= 1
            return nil
        }
        return tens * 10 + units
    }

    /// A run of ASCII digits whose length is in `digits`, not followed by another digit.
    private mutating func number(digits: ClosedRange<Int>) -> Int? {
        let start = index
        var value = 0
        while index - start < digits.upperBound, let digit = digit() { value = value * 10 + digit }
        guard digits.contains(index - start) else { return nil }
        if index < bytes.count, (0x30...0x39).contains(bytes[index]) { return nil }
        return value
    }
}
