import CivilTime
import FoundationEssentials
import Web

/// Hours of the day during which the chat is closed, in one time zone: `21-6` is closed from
/// 21:00 up to (not including) 06:00 the next morning; `13-14` is the hour after 13:00.
/// Read from `PARLEY_CHAT_CLOSED_HOURS`; the zone from `PARLEY_CHAT_TIMEZONE` (an IANA name such
/// as `Europe/Paris`; UTC by default, so the hours do not move with the server's own zone).
struct ClosedHours: Sendable, Equatable, CustomStringConvertible {
    /// First closed hour, 0–23.
    let start: Int
    /// First open hour again, 0–23; different from `start`.
    let end: Int
    let timeZone: ZoneRules

    init?(start: Int, end: Int, timeZone: ZoneRules = .utc) {
        guard (0...23).contains(start), (0...23).contains(end), start != end else { return nil }
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    /// `"21-6"`, `"21:00-06:00"`.
    init?(parsing text: String, timeZone: ZoneRules = .utc) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Self.hour(parts[0]), let end = Self.hour(parts[1]) else { return nil }
        self.init(start: start, end: end, timeZone: timeZone)
    }

    private static func hour(_ text: Substring) -> Int? {
        var text = text.trimmingWhitespace()
        if text.hasSuffix(":00") { text = String(text.dropLast(3)) }
        guard !text.isEmpty, text.count <= 2, text.allSatisfy(\.isASCII), let value = Int(text) else { return nil }
        return value
    }

    func contains(_ date: Date) -> Bool {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let local = seconds + Int64(timeZone.secondsFromGMT(at: seconds))
        let hour = Int(CivilDate.floorDivide(local, 86_400).remainder / 3600)
        return start < end ? (start <= hour && hour < end) : (hour >= start || hour < end)
    }

    /// `21:00 and 06:00 (UTC)`.
    var description: String {
        "\(Self.clock(start)) and \(Self.clock(end)) (\(timeZone.identifier == "GMT" ? "UTC" : timeZone.identifier))"
    }

    private static func clock(_ hour: Int) -> String {
        (hour < 10 ? "0" : "") + "\(hour):00"
    }
}
