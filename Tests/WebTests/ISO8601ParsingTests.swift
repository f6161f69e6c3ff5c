import Foundation
import Testing
import Web

/// `ISO8601.date(from:)` and the text of distant dates answer what ISO8601DateFormatter (ICU)
/// answered. ICU's lenient parser also took forms no client sends (`+2:00` read as twenty hours,
/// a five-digit year read as its last four digits, full-width digits); those are refused now
/// (docs/decisions/0012-foundation-essentials.md).
@Suite("ISO 8601 without ISO8601DateFormatter")
struct ISO8601ParsingTests {
    static func foundation(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    @Test("timestamps, good and bad", arguments: [
        "2026-11-26T07:45:28.123Z", "2026-11-26T07:45:28Z", "2026-11-26T07:45:28+02:00", "2026-11-26T07:45:28.1Z",
        "2026-11-26T07:45:28.123456789Z", "2026-11-26T07:45:28.1234+0200", "2026-11-26T07:45:28-0530", "2026-11-26T07:45:28.9999Z",
        "2026-11-26T07:45:28.999999Z", "2026-11-26T07:45:28+05:45", "2026-11-26T07:45:28-00:00", "2026-11-26T07:45:28+14:00",
        "2026-11-26T07:45:28+02", "2026-11-26T07:45:28+02:30", "2026-11-26T07:45:28+23:59", "2026-11-26T07:45:28+02:00:30",
        "2026-11-26T07:45:28z", "2026-11-26T07:45:28GMT", "2026-11-26T07:45:28UTC", "2026-11-26T07:45:28UT",
        "2026-11-26T07:45:28GMT+02:00", "2026-11-26T07:45:28UTC+02:00", "2026-11-26T07:45:28 Z", "2026-11-26T07:45:28.123 Z",
        " 2026-11-26T07:45:28Z", "\t2026-11-26T07:45:28Z", "2026-11-26T07:45:28Z ", "2026-11-26T07:45:28Z\n", "2026-11-26T07:45:28Zabc",
        "2026-1-2T07:45:28Z", "2026-11-26T7:45:28Z", "2026-02-30T07:45:28Z", "2026-11-31T07:45:28Z", "2026-11-26T24:00:00Z",
        "2026-11-26T07:60:00Z", "2026-11-26T07:45:60Z", "2026-11-26T25:00:00Z", "2026-11-00T07:45:28Z", "2026-11-32T07:45:28Z",
        "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-11-26 07:45:28Z", "2026-11-26t07:45:28z", "2026-11-26T07:45:28",
        "2026-11-26", "20261126T074528Z", "2026-11-26T07:45Z", "2026-11-26T07:45:28.Z", "2026-11-26T07:45:28,123Z",
        "2026-11-26T07:45:28.+02:00", "2026-11-26T07:45:28-", "2026-11-26T-7:45:28Z", "2026--11-26T07:45:28Z", "",
        "1969-12-31T23:59:59.5Z", "1970-01-01T00:00:00Z", "1600-01-01T00:00:00.000Z", "1599-12-31T23:59:59Z",
        "1582-10-10T00:00:00Z", "1582-10-15T00:00:00Z", "0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
    ])
    func parsing(_ text: String) {
        #expect(ISO8601.date(from: text) == Self.foundation(text), "\(text.debugDescription)")
    }

    @Test("random well-formed timestamps")
    func random() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            func two(_ range: ClosedRange<Int>) -> String { String(format: "%02d", Int.random(in: range, using: &generator)) }
            let year = String(format: "%04d", Int.random(in: 1...9999, using: &generator))
            let fraction = Bool.random(using: &generator)
                ? "." + String((0..<Int.random(in: 1...9, using: &generator)).map { _ in Character("\(Int.random(in: 0...9, using: &generator))") })
                : ""
            let zones = ["Z", "+" + two(0...14) + ":" + two(0...59), "-" + two(0...12) + two(0...59), "+" + two(0...23)]
            let text = "\(year)-\(two(1...12))-\(two(1...28))T\(two(0...23)):\(two(0...59)):\(two(0...59))\(fraction)\(zones.randomElement(using: &generator)!)"
            guard ISO8601.date(from: text) == Self.foundation(text) else {
                Issue.record("\(text): \(String(describing: ISO8601.date(from: text)?.timeIntervalSince1970)) against \(String(describing: Self.foundation(text)?.timeIntervalSince1970))")
                return
            }
        }
    }

    @Test("distant years: Julian before 1582, the year of the era, five digits after 9999")
    func distantText() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        var seconds: [Double] = [-62_135_596_800, -62_135_596_800 - 86_400 * 400, -12_219_292_800, -12_219_292_800 - 86_400 * 5,
                                 -11_676_096_000.0005, -11_676_096_001, 253_402_300_800, 253_402_300_800 + 86_400 * 400, -80_000_000_000.25]
        for _ in 0..<2_000 {
            seconds.append(Double.random(in: -90_000_000_000 ... -11_676_096_001, using: &generator))
            seconds.append(Double.random(in: 253_402_300_800...400_000_000_000, using: &generator))
        }
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            guard ISO8601.string(from: date) == formatter.string(from: date) else {
                Issue.record("\(value): \(ISO8601.string(from: date)) against \(formatter.string(from: date))")
                return
            }
        }
    }
}
