import CivilTime
import FoundationEssentials
import Web

/// A moment as pages show it: `<time datetime="{{iso}}" title="{{exact}}">{{relative}}</time>`.
struct TimeView: Sendable, Equatable {
    /// ISO 8601 in UTC, for `datetime`.
    let iso: String
    /// The exact time, for the tooltip: `2025-03-14 09:26:53 UTC`.
    let exact: String
    /// "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", "12 Mar", "12 Mar 2024".
    let relative: String

    /// Fields from ``ISO8601/utcFields(_:)`` and digits written by hand: Calendar and two
    /// `String(format:)` per time showed in the profiles, and a conversation page shows two
    /// times per message.
    init(_ date: Date, now: Date) {
        guard let fields = ISO8601.utcFields(date) else {
            // Outside years 1600…9999: Foundation's calendar, as before.
            let parts = Self.utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let (year, month, day) = (parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
            let (hour, minute, second) = (parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
            let calendarDay = String(year, zeroPaddedTo: 4) + "-" + String(month, zeroPaddedTo: 2) + "-" + String(day, zeroPaddedTo: 2)
            let time = String(hour, zeroPaddedTo: 2) + ":" + String(minute, zeroPaddedTo: 2) + ":" + String(second, zeroPaddedTo: 2)
            iso = calendarDay + "T" + time + "Z"
            exact = calendarDay + " " + time + " UTC"
            relative = Self.relative(date, now: now, year: year, month: month, day: day)
            return
        }
        iso = Self.text(fields, separator: UInt8(ascii: "T"), suffix: "Z")
        exact = Self.text(fields, separator: UInt8(ascii: " "), suffix: " UTC")
        relative = Self.relative(date, now: now, year: fields.year, month: fields.month, day: fields.day)
    }

    /// `YYYY-MM-DD` separator `hh:mm:ss` suffix, written into the string's own storage: one
    /// allocation per text (padding and joining pieces made a dozen, twice per time). Straight
    /// stores at fixed offsets: nested functions that advanced a shared count put that count in a
    /// box with run-time exclusivity checks (bench/README.md, "Pages and templates").
    private static func text(
        _ fields: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int), separator: UInt8, suffix: StaticString
    ) -> String {
        String(unsafeUninitializedCapacity: 19 + suffix.utf8CodeUnitCount) { output in
            @inline(__always) func digits(_ value: Int, _ width: Int, at offset: Int) {
                var rest = value
                var index = offset + width - 1
                while index >= offset {
                    output[index] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                    rest /= 10
                    index -= 1
                }
            }
            digits(fields.year, 4, at: 0)  // 1600…9999: utcFields answers nothing else
            output[4] = UInt8(ascii: "-")
            digits(fields.month, 2, at: 5)
            output[7] = UInt8(ascii: "-")
            digits(fields.day, 2, at: 8)
            output[10] = separator
            digits(fields.hour, 2, at: 11)
            output[13] = UInt8(ascii: ":")
            digits(fields.minute, 2, at: 14)
            output[16] = UInt8(ascii: ":")
            digits(fields.second, 2, at: 17)
            let tail = UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount)
            for (offset, byte) in tail.enumerated() { output[19 + offset] = byte }
            return 19 + tail.count
        }
    }

    static func relative(_ date: Date, now: Date, year: Int, month: Int, day: Int) -> String {
        let seconds = now.timeIntervalSince(date)
        switch seconds {
        case ..<45: return "just now"
        case ..<3600: return count(max(1, Int((seconds / 60).rounded())), " min ago")
        case ..<86_400: return count(Int(seconds / 3600), " h ago")
        case ..<172_800: return "yesterday"
        case ..<(7 * 86_400): return count(Int(seconds / 86_400), " days ago")
        default:
            let name = monthNames[max(0, min(11, month - 1))]
            let nowYear = ISO8601.utcFields(now)?.year ?? utc.component(.year, from: now)
            return calendarDay(day, name, year: year == nowYear ? nil : year)
        }
    }

    private static let monthNames: [StaticString] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    // The relative texts are written on the stack and made into a string once, a small one
    // that needs no allocation (they are at most 15 bytes but for far-off years): interpolation
    // built them an append and a `description` at a time into a heap string (bench/README.md,
    // "A conversation page's times").

    /// "5 min ago", "3 h ago", "4 days ago".
    private static func count(_ number: Int, _ unit: StaticString) -> String {
        shortText { out in copy(unit, into: out, at: decimal(number, into: out, at: 0)) }
    }

    /// "12 Mar", or "12 Mar 2024" with a year.
    private static func calendarDay(_ day: Int, _ month: StaticString, year: Int?) -> String {
        shortText { out in
            var at = decimal(day, into: out, at: 0)
            out[at] = UInt8(ascii: " ")
            at = copy(month, into: out, at: at + 1)
            guard let year else { return at }
            out[at] = UInt8(ascii: " ")
            return decimal(year, into: out, at: at + 1)
        }
    }

    /// The text `write` puts in a 64-byte buffer (it returns the length).
    private static func shortText(_ write: (UnsafeMutableBufferPointer<UInt8>) -> Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[..<write(buffer)]), as: UTF8.self)
        }
    }

    /// `value` in decimal at `start` (at most 20 bytes, a minus sign included); returns the end.
    private static func decimal(_ value: Int, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var at = start
        if value < 0 {
            out[at] = UInt8(ascii: "-")
            at += 1
        }
        let magnitude = value.magnitude
        var scale: UInt = 1
        while magnitude / scale >= 10 { scale *= 10 }
        while scale > 0 {
            out[at] = UInt8(truncatingIfNeeded: 0x30 + (magnitude / scale) % 10)
            at += 1
            scale /= 10
        }
        return at
    }

    private static func copy(_ text: StaticString, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        (out.baseAddress! + start).initialize(from: text.utf8Start, count: text.utf8CodeUnitCount)
        return start + text.utf8CodeUnitCount
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()
}
