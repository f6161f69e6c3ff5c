import Foundation
@testable import ParleyApp
@testable import ParleyCommands
import Testing

/// `parley stats --json` writes what JSONSerialization with `.sortedKeys` wrote.
@Suite("parley stats output")
struct StatsOutputTests {
    static func report(average: Double, p95: Double, days: Int, hours: Int) -> SiteStatisticsReport {
        var report = SiteStatisticsReport()
        report.users = 12
        report.conversations = 7
        report.messages = 345
        report.averagePerConversation = average
        report.p95PerConversation = p95
        report.messagesPerDay = (0..<days).map { SiteStatisticsReport.Day(date: "2026-11-\(10 + $0)", messages: $0 * 3) }
        report.activeHours = (0..<hours).map { SiteStatisticsReport.Hour(hour: 23 - $0, messages: 40 - $0) }
        return report
    }

    @Test("JSON", arguments: [(49.285714285714285, 120.0), (0, 0), (3, 2.5), (1e-7, 1e21), (0.1, 1234567.125)] as [(Double, Double)])
    func json(average: Double, p95: Double) throws {
        for (days, hours) in [(0, 0), (1, 1), (3, 5)] {
            let report = Self.report(average: average, p95: p95, days: days, hours: hours)
            let object: [String: Any] = [
                "users": report.users, "conversations": report.conversations, "messages": report.messages,
                "average_per_conversation": report.averagePerConversation, "p95_per_conversation": report.p95PerConversation,
                "messages_per_day": report.messagesPerDay.map { ["date": $0.date, "messages": $0.messages] as [String: Any] },
                "active_hours": report.activeHours.map { ["hour": $0.hour, "messages": $0.messages] },
            ]
            let expected = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            #expect(Stats.json(report) == expected)
        }
    }

    @Test("text")
    func text() {
        let lines = Stats.text(Self.report(average: 49.25, p95: 0.05, days: 1, hours: 2)).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[3] == "Per conversation: average \(String(format: "%.1f", 49.25)), p95 \(String(format: "%.1f", 0.05))")
        #expect(lines[6] == "  23:00  40" && lines[7] == "  22:00  39")
    }
}
