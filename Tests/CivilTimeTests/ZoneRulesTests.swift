import CivilTime
import Foundation
import Testing

/// ZoneRules reads the system's tz database and answers the UTC offsets that Foundation's
/// TimeZone (ICU's copy of the same database) answered, DST transitions included.
@Suite("Time zones from the tz database")
struct ZoneRulesTests {
    @Test("offsets agree with Foundation from 1970 to 2100", arguments: [
        "UTC", "GMT", "Etc/GMT+5", "Europe/Paris", "Europe/London", "Europe/Dublin", "Europe/Moscow", "America/New_York",
        "America/St_Johns", "America/Santiago", "America/Sao_Paulo", "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu",
        "Asia/Tehran", "Australia/Sydney", "Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Apia", "Antarctica/Troll",
    ])
    func offsets(_ identifier: String) throws {
        let rules = try #require(ZoneRules(identifier: identifier))
        let zone = try #require(TimeZone(identifier: identifier))
        var instants = Array(stride(from: Int64(0), to: 4_102_444_800, by: 5 * 86_400 + 3_607))
        // Either side of every transition Foundation knows of in 2020…2060.
        var date = Date(timeIntervalSince1970: 1_577_836_800)
        while let next = zone.nextDaylightSavingTimeTransition(after: date), next.timeIntervalSince1970 < 2_840_140_800 {
            let at = Int64(next.timeIntervalSince1970)
            instants += [at - 1, at, at + 1]
            date = next
        }
        var mismatches: [Int64] = []
        for instant in instants where rules.secondsFromGMT(at: instant) != zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))) {
            mismatches.append(instant)
        }
        #expect(mismatches.isEmpty, "\(identifier) differs at \(mismatches.prefix(5)) (\(mismatches.count) instants)")
    }

    @Test("names the tz database does not have are refused", arguments: ["Mars/Olympus", "", "../../etc/passwd", "/etc/passwd", "Europe/../UTC"])
    func unknown(_ identifier: String) {
        #expect(ZoneRules(identifier: identifier) == nil)
    }

    @Test("UTC without a file")
    func utc() {
        #expect(ZoneRules.utc.secondsFromGMT(at: 1_800_000_000) == 0)
        #expect(ZoneRules.utc.identifier == "UTC")
    }
}
