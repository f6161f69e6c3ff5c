import CivilTime
import Foundation

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
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let text = Array(formatter.string(from: date).utf8.prefix(32))
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

    public static func date(from string: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: string) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: string)
    }
}
