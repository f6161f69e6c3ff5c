import ArgumentParser
import CivilTime
import FoundationEssentials
import Logging
import ParleyApp
import Postgres
import Web

/// `parley stats`: the figures of `/admin/stats` on the terminal.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how the site is used: totals, messages per day and per conversation, the busiest hours.",
        discussion: """
            Each figure is one aggregate query in PostgreSQL. Days and hours are UTC; the per-day \
            and per-hour figures cover the last 30 days. Uses DATABASE_URL.

            Example:
              parley stats
              parley stats --json | jq .messages_per_day
            """
    )

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = try common.bootstrapLogging()
        let database = PostgresDatabase(configuration: try PostgresConfiguration.forBulkCommand(), logger: logger)
        let report = try SiteStatistics.report(database: database)
        print(json ? Self.json(report) : Self.text(report))
    }

    static func text(_ report: SiteStatisticsReport) -> String {
        var lines = [
            "Users:          \(report.users)",
            "Conversations:  \(report.conversations)",
            "Messages:       \(report.messages)",
            "Per conversation: average \(String(report.averagePerConversation, fractionDigits: 1)), p95 \(String(report.p95PerConversation, fractionDigits: 1))",
            "",
            "Most active hours (UTC, last \(SiteStatistics.days) days):",
        ]
        lines += report.activeHours.isEmpty ? ["  no messages"] : report.activeHours.prefix(5).map { "  " + String($0.hour, zeroPaddedTo: 2) + ":00  \($0.messages)" }
        lines += ["", "Messages per day (UTC):"]
        lines += report.messagesPerDay.map { "  \($0.date)  \($0.messages)" }
        return lines.joined(separator: "\n")
    }

    /// The text that Foundation's JSONSerialization wrote with `.sortedKeys`: keys in order, no
    /// spaces, whole doubles without ".0", nothing at all for a number JSON cannot hold.
    static func json(_ report: SiteStatisticsReport) -> String {
        guard report.averagePerConversation.isFinite, report.p95PerConversation.isFinite else { return "" }
        func number(_ value: Double) -> String {
            let text = value.description
            return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        }
        let days = report.messagesPerDay.map { #"{"date":\#(JSONString.quoted($0.date)),"messages":\#($0.messages)}"# }
        let hours = report.activeHours.map { #"{"hour":\#($0.hour),"messages":\#($0.messages)}"# }
        return #"{"active_hours":["# + hours.joined(separator: ",")
            + #"],"average_per_conversation":\#(number(report.averagePerConversation)),"conversations":\#(report.conversations)"#
            + #","messages":\#(report.messages),"messages_per_day":["# + days.joined(separator: ",")
            + #"],"p95_per_conversation":\#(number(report.p95PerConversation)),"users":\#(report.users)}"#
    }
}
