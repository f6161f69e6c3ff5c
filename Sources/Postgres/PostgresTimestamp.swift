import CivilTime
import FoundationEssentials

/// Conversions between `Date` and PostgreSQL's timestamp representation: a signed count of
/// microseconds since 2000-01-01 00:00:00 UTC, with `Int64.max`/`min` meaning ±infinity.
enum PostgresTimestamp {
    /// Seconds from 2000-01-01 (PostgreSQL's epoch) to 2001-01-01 (Foundation's reference date).
    static let referenceDateOffsetSeconds: Int64 = 31_622_400
    static let microsecondsPerSecond: Int64 = 1_000_000
    static let microsecondsPerDay: Int64 = 86_400_000_000
    /// Days from 1970-01-01 to 2000-01-01.
    static let unixToPostgresEpochDays: Int64 = 10_957

    static func microseconds(from date: Date) throws -> Int64 {
        let interval = date.timeIntervalSinceReferenceDate
        // PostgreSQL's timestamptz ends in year 294276; stay well inside Int64 arithmetic.
        guard interval.isFinite, abs(interval) < 9.0e12 else {
            throw PostgresError.encoding("Date is outside the range of timestamptz")
        }
        let whole = interval.rounded(.down)
        let fraction = interval - whole  // exact: both are doubles of the same magnitude
        let micros = Int64((fraction * 1e6).rounded())
        return (Int64(whole) + referenceDateOffsetSeconds) * microsecondsPerSecond + micros
    }

    static func date(microseconds: Int64) -> Date {
        if microseconds == .max { return .distantFuture }
        if microseconds == .min { return .distantPast }
        let (seconds, remainder) = CivilDate.floorDivide(microseconds, microsecondsPerSecond)
        let sinceReference = Double(seconds - referenceDateOffsetSeconds) + Double(remainder) / 1e6
        return Date(timeIntervalSinceReferenceDate: sinceReference)
    }

    /// `2024-02-29 13:45:00.123456+00`, with ` BC` for years before 1 AD: what timestamptz_in reads.
    static func text(microseconds: Int64) -> String {
        if microseconds == .max { return "infinity" }
        if microseconds == .min { return "-infinity" }
        let (days, timeOfDay) = CivilDate.floorDivide(microseconds, microsecondsPerDay)
        let date = CivilDate(daysSinceUnixEpoch: days + unixToPostgresEpochDays)
        let seconds = timeOfDay / microsecondsPerSecond
        let fraction = timeOfDay % microsecondsPerSecond
        let bc = date.year <= 0
        var text = pad(bc ? 1 - date.year : date.year, 4) + "-" + pad(date.month, 2) + "-" + pad(date.day, 2)
        text += " " + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        text += "." + pad(fraction, 6) + "+00"
        if bc { text += " BC" }
        return text
    }

    /// Days since 2000-01-01 for a `date` column.
    static func date(days: Int32) -> Date {
        if days == .max { return .distantFuture }
        if days == .min { return .distantPast }
        return date(microseconds: Int64(days) * microsecondsPerDay)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
