/// A POSIX TZ rule as TZif footers carry it (`CET-1CEST,M3.5.0,M10.5.0/3`, `<+09>-9`): a standard
/// offset, and optionally a daylight offset between two dates of every year.
struct PosixZoneRule: Sendable, Equatable {
    /// Seconds east of UTC.
    let standardOffset: Int32
    let daylight: Daylight?

    struct Daylight: Sendable, Equatable {
        let offset: Int32
        let start: Day
        /// Seconds after the start of `start`, in standard time.
        let startTime: Int64
        let end: Day
        /// Seconds after the start of `end`, in daylight time.
        let endTime: Int64
    }

    enum Day: Sendable, Equatable {
        /// `Mm.w.d`: weekday d (0 = Sunday) of week w (5 = the last) of month m.
        case monthWeekDay(month: Int64, week: Int64, weekday: Int64)
        /// `Jn`: day 1…365, February 29 never counted.
        case julian(Int64)
        /// `n`: day 0…365, February 29 counted.
        case dayOfYear(Int64)
    }

    init?(_ text: String) {
        var parser = Parser(bytes: Array(text.utf8))
        guard parser.name(), let standard = parser.offset() else { return nil }
        standardOffset = Int32(-standard)
        guard !parser.atEnd else {
            daylight = nil
            return
        }
        guard parser.name() else { return nil }
        let daylightOffset = parser.startsOffset ? parser.offset().map { Int32(-$0) } : standardOffset + 3600
        guard let daylightOffset else { return nil }
        var start = Day.monthWeekDay(month: 3, week: 2, weekday: 0)
        var end = Day.monthWeekDay(month: 11, week: 1, weekday: 0)
        var startTime: Int64 = 7200
        var endTime: Int64 = 7200
        if parser.skip(",") {
            guard let first = parser.day() else { return nil }
            start = first
            if parser.skip("/") { guard let time = parser.offset() else { return nil }; startTime = time }
            guard parser.skip(","), let second = parser.day() else { return nil }
            end = second
            if parser.skip("/") { guard let time = parser.offset() else { return nil }; endTime = time }
        }
        guard parser.atEnd else { return nil }
        daylight = Daylight(offset: daylightOffset, start: start, startTime: startTime, end: end, endTime: endTime)
    }

    /// Seconds east of UTC at `secondsSince1970`.
    func offset(at secondsSince1970: Int64) -> Int32 {
        guard let daylight else { return standardOffset }
        let localDays = CivilDate.floorDivide(secondsSince1970 + Int64(standardOffset), 86_400).quotient
        let year = CivilDate(daysSinceUnixEpoch: localDays).year
        let start = Self.days(daylight.start, year: year) * 86_400 + daylight.startTime - Int64(standardOffset)
        let end = Self.days(daylight.end, year: year) * 86_400 + daylight.endTime - Int64(daylight.offset)
        let isDaylight = start < end
            ? (start <= secondsSince1970 && secondsSince1970 < end)
            : !(end <= secondsSince1970 && secondsSince1970 < start)
        return isDaylight ? daylight.offset : standardOffset
    }

    /// Days since 1970-01-01 of `day` in `year`.
    static func days(_ day: Day, year: Int64) -> Int64 {
        let januaryFirst = CivilDate(year: year, month: 1, day: 1).daysSinceUnixEpoch
        switch day {
        case .dayOfYear(let n):
            return januaryFirst + n
        case .julian(let n):
            let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return januaryFirst + n - 1 + (isLeap && n >= 60 ? 1 : 0)
        case .monthWeekDay(let month, let week, let weekday):
            let first = CivilDate(year: year, month: month, day: 1).daysSinceUnixEpoch
            let next = month == 12 ? CivilDate(year: year + 1, month: 1, day: 1).daysSinceUnixEpoch
                : CivilDate(year: year, month: month + 1, day: 1).daysSinceUnixEpoch
            // 1970-01-01 was a Thursday (4).
            let firstWeekday = CivilDate.floorDivide(first + 4, 7).remainder
            var result = first + CivilDate.floorDivide(weekday - firstWeekday, 7).remainder + (week - 1) * 7
            while result >= next { result -= 7 }
            return result
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }

        var startsOffset: Bool {
            guard index < bytes.count else { return false }
            let byte = bytes[index]
            return byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// `CET` or `<+09>`.
        mutating func name() -> Bool {
            if skip("<") {
                guard let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")), close > index else { return false }
                index = close + 1
                return true
            }
            let start = index
            while index < bytes.count, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[index] & 0xDF) { index += 1 }
            return index - start >= 3
        }

        mutating func number() -> Int64? {
            let start = index
            var value: Int64 = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]), index - start < 6 {
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            return index > start ? value : nil
        }

        /// `[+-]hh[:mm[:ss]]` in seconds, as written (POSIX offsets are west of UTC).
        mutating func offset() -> Int64? {
            let sign: Int64 = skip("-") ? -1 : (skip("+") ? 1 : 1)
            guard let hours = number() else { return nil }
            var seconds = hours * 3600
            if skip(":") {
                guard let minutes = number() else { return nil }
                seconds += minutes * 60
                if skip(":") {
                    guard let rest = number() else { return nil }
                    seconds += rest
                }
            }
            return sign * seconds
        }

        mutating func day() -> Day? {
            if skip("M") {
                guard let month = number(), skip("."), let week = number(), skip("."), let weekday = number(),
                      (1...12).contains(month), (1...5).contains(week), (0...6).contains(weekday)
                else { return nil }
                return .monthWeekDay(month: month, week: week, weekday: weekday)
            }
            if skip("J") {
                guard let n = number(), (1...365).contains(n) else { return nil }
                return .julian(n)
            }
            guard let n = number(), (0...365).contains(n) else { return nil }
            return .dayOfYear(n)
        }
    }
}
