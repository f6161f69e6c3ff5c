/// A day of the proleptic Gregorian calendar (astronomical years: year 0 is 1 BC), computed
/// from a count of days since 1970-01-01, without Foundation's `Calendar`.
///
/// Web writes one for every JSON timestamp and Postgres for every timestamp it sends as text:
/// the arithmetic is `@inlinable` so that it costs them what it cost when each had its own copy.
public struct CivilDate: Equatable, Sendable {
    public var year: Int64
    /// 1…12.
    public var month: Int64
    /// 1…31.
    public var day: Int64

    /// Howard Hinnant's `civil_from_days`.
    @inlinable
    public init(daysSinceUnixEpoch days: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// `value / divisor` rounded down, and the remainder (0 ≤ remainder < divisor for a positive
    /// divisor): how a count of units since 1970 splits into whole days (or seconds) and the
    /// rest, before 1970 as after.
    @inlinable
    public static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}

extension CivilDate {
    /// Days since 1970-01-01 of this date (Howard Hinnant's `days_from_civil`); the month and day
    /// may run past their ends (day 32 of January is February 1).
    @inlinable
    public var daysSinceUnixEpoch: Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    @inlinable
    public init(year: Int64, month: Int64, day: Int64) {
        self.year = year
        self.month = month
        self.day = day
    }
}
