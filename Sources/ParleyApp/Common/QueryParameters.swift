import FoundationEssentials
import Web

/// Typed reads of query parameters, with DRF/django-filter's 400s (`{"sender": ["Enter a valid
/// UUID."]}`) for values that cannot be read. An absent or empty parameter is nil (no filter).
extension URLEncodedForm {
    func uuid(_ name: String) throws(HTTPError) -> UUID? {
        guard let text = nonEmpty(name) else { return nil }
        guard let value = UUID(apiString: text) else { throw .validation([name: ["Enter a valid UUID."]]) }
        return value
    }

    /// An ISO 8601 date-time with a time zone (`2026-05-01T09:30:00Z`, `…+02:00`, fractional
    /// seconds allowed), or a date (`2026-05-01`, midnight UTC; with `endOfDay`, the last
    /// microsecond of that day, so `end_date=2026-05-01` includes all of May 1st).
    ///
    /// A `+` in an offset that was not percent-encoded arrives as a space; it is read as `+`.
    func dateTime(_ name: String, endOfDay: Bool = false) throws(HTTPError) -> Date? {
        guard let text = nonEmpty(name) else { return nil }
        guard let value = QueryDates.parse(text, endOfDay: endOfDay) else {
            throw .validation([name: ["Enter a valid date/time."]])
        }
        return value
    }

    /// `true`/`false` as DRF's BooleanFilter reads them (also 1/0, yes/no, on/off).
    func bool(_ name: String) throws(HTTPError) -> Bool? {
        guard let text = nonEmpty(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw .validation([name: ["Select a valid choice. \(text) is not one of the available choices."]])
        }
    }

    private func nonEmpty(_ name: String) -> String? {
        guard let text = self[name], !text.isEmpty else { return nil }
        return text
    }
}

enum QueryDates {
    /// 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z, in seconds since 1970: the years DRF
    /// reads (Python's `datetime`), well inside PostgreSQL's timestamptz. A date outside,
    /// such as year 99999 or a year BC, is "Enter a valid date/time." (400), not a value that
    /// fails to bind (`Date is outside the range of timestamptz`) or that PostgreSQL refuses.
    /// (The start is January 1st of year 1 as Foundation reads it: its calendar is Julian
    /// before 1582, two days before the proleptic Gregorian one.)
    static let earliest: TimeInterval = -62_135_769_600
    static let end: TimeInterval = 253_402_300_800

    static func parse(_ text: String, endOfDay: Bool) -> Date? {
        guard let date = parseAnyYear(text, endOfDay: endOfDay) else { return nil }
        let seconds = date.timeIntervalSince1970
        // (`<=`: the end of 9999-12-31, a microsecond before `end`, is `end` in a Double.)
        guard seconds.isFinite, seconds >= earliest, seconds <= end else { return nil }
        return date
    }

    private static func parseAnyYear(_ text: String, endOfDay: Bool) -> Date? {
        var text = text.trimmingWhitespace()
        if let space = text.lastIndex(of: " "), text[text.index(after: space)...].first?.isNumber == true {
            text.replaceSubrange(space...space, with: "+")
        }
        if let date = ISO8601.date(from: text) { return date }
        // A bare date: YYYY-MM-DD, read in UTC.
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let start = calendar.date(from: components) else { return nil }
        return endOfDay ? start.addingTimeInterval(86_400 - 0.000_001) : start
    }
}
