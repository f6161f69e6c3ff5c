import Foundation
@testable import ParleyApp
import Testing
import Web

/// Dates on pages are computed without Calendar; they must say what Calendar says.
@Suite("UTC calendar fields and page times")
struct UTCFieldsTests {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static var samples: [Date] {
        var generator = SystemRandomNumberGenerator()
        let fixed: [TimeInterval] = [0, -1, 951_782_400 /* 2000-02-29 */, 1_709_164_799.999, 4_107_542_400 /* 2100-03-01 */,
                                     -2_208_988_800 /* 1900-01-01 */, 253_402_300_799 /* 9999-12-31T23:59:59 */, -11_676_096_000 /* 1600-01-01 */]
        return fixed.map { Date(timeIntervalSince1970: $0) }
            + (0..<2000).map { _ in Date(timeIntervalSince1970: Double.random(in: -11_676_096_000..<253_402_300_800, using: &generator)) }
    }

    @Test("ISO8601.utcFields gives Calendar's year, month, day, hour, minute and second (1600…9999)")
    func fieldsMatchCalendar() throws {
        for date in Self.samples {
            let parts = Self.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let fields = try #require(ISO8601.utcFields(date), "\(date.timeIntervalSince1970)")
            #expect([fields.year, fields.month, fields.day, fields.hour, fields.minute, fields.second]
                == [parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second].map { $0 ?? -1 },
                "\(date.timeIntervalSince1970)")
        }
        #expect(ISO8601.utcFields(Date(timeIntervalSince1970: 253_402_300_800)) == nil)
    }

    @Test("TimeView writes the same iso and exact texts as String(format:) over Calendar did")
    func timeViewTexts() {
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        for date in Self.samples {
            let p = Self.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let view = TimeView(date, now: now)
            #expect(view.iso == String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!))
            #expect(view.exact == String(format: "%04d-%02d-%02d %02d:%02d:%02d UTC", p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!))
        }
    }
}
