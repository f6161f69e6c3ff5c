import CivilTime
import Foundation
import Testing

@Suite("Civil dates without Calendar")
struct CivilDateTests {
    @Test("known days (days since 1970, year, month, day)", arguments: [
        (0, 1970, 1, 1), (-1, 1969, 12, 31), (10_957, 2000, 1, 1), (11_016, 2000, 2, 29),
        (-719_528, 0, 1, 1), (2_932_896, 9999, 12, 31),
    ] as [(Int64, Int64, Int64, Int64)])
    func knownDays(days: Int64, year: Int64, month: Int64, day: Int64) {
        let date = CivilDate(daysSinceUnixEpoch: days)
        #expect([date.year, date.month, date.day] == [year, month, day])
    }

    @Test("every day from 1600 to 2400 agrees with Foundation's Gregorian calendar in UTC")
    func agreesWithCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for days in stride(from: Int64(-134_774), through: 157_054, by: 1) {
            let fields = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            let date = CivilDate(daysSinceUnixEpoch: days)
            guard [date.year, date.month, date.day] == [fields.year, fields.month, fields.day].map({ Int64($0!) }) else {
                Issue.record("day \(days): \(date) against \(fields)")
                return
            }
        }
    }

    @Test("floor division keeps the remainder in 0..<divisor", arguments: [
        (7, 3, 2, 1), (-7, 3, -3, 2), (-6, 3, -2, 0), (0, 5, 0, 0), (-1, 86_400_000, -1, 86_399_999),
    ] as [(Int64, Int64, Int64, Int64)])
    func floorDivide(value: Int64, divisor: Int64, quotient: Int64, remainder: Int64) {
        let result = CivilDate.floorDivide(value, divisor)
        #expect(result.quotient == quotient)
        #expect(result.remainder == remainder)
    }

    @Test("days since 1970 from a date, and back, from year -400 to 10000")
    func roundTrip() {
        for days in stride(from: Int64(-865_000), through: 2_933_000, by: 7) {
            let date = CivilDate(daysSinceUnixEpoch: days)
            guard CivilDate(year: date.year, month: date.month, day: date.day).daysSinceUnixEpoch == days else {
                Issue.record("day \(days) came back as \(CivilDate(year: date.year, month: date.month, day: date.day).daysSinceUnixEpoch)")
                return
            }
        }
        #expect(CivilDate(year: 2026, month: 1, day: 32).daysSinceUnixEpoch == CivilDate(year: 2026, month: 2, day: 1).daysSinceUnixEpoch)
    }
}
