import CivilTime
import FoundationEssentials
import Web

/// `/account/export` (the account page's "Export my data": the API's export, for the signed-in
/// browser) and `/admin/stats` (site statistics, admins only).
struct BulkPages {
    let pages: Pages

    func register(on router: inout Router<AppContext>) {
        router.get("/account/export") { request, context in
            let user = try pages.requireUser(context, next: "/account")
            return try ExportController.response(user: user, context: context, services: pages.services)
        }
        router.get("/admin/stats") { request, context in try stats(request, context) }
    }

    struct StatsView {
        let users: String
        let conversations: String
        let messages: String
        let average: String
        let p95: String
        let days: [DayView]
        let hours: [HourView]
        let hasHours: Bool
        let windowDays: Int
    }

    struct DayView {
        let date: String
        let messages: String
        /// Bar width in percent of the busiest day.
        let percent: Int
    }

    struct HourView {
        let hour: String
        let messages: String
    }

    func stats(_ request: Request, _ context: AppContext) throws -> Response {
        _ = try pages.requireAdmin(context, next: "/admin/stats")
        let report = try pages.services.statistics(context).report()
        let busiest = max(1, report.messagesPerDay.map(\.messages).max() ?? 1)
        let view = StatsView(
            users: Self.number(report.users), conversations: Self.number(report.conversations), messages: Self.number(report.messages),
            average: String(report.averagePerConversation, fractionDigits: 1), p95: String(report.p95PerConversation, fractionDigits: 1),
            days: report.messagesPerDay.reversed().map {
                DayView(date: $0.date, messages: Self.number($0.messages), percent: $0.messages * 100 / busiest)
            },
            hours: report.activeHours.prefix(5).map { HourView(hour: String($0.hour, zeroPaddedTo: 2) + ":00–" + String($0.hour, zeroPaddedTo: 2) + ":59", messages: Self.number($0.messages)) },
            hasHours: !report.activeHours.isEmpty, windowDays: SiteStatistics.days)
        var nav = NavView()
        nav.adminStats = true
        return pages.render("pages/admin-stats", title: "Statistics", view: view, visit: try pages.visit(request, context), nav: nav)
    }

    /// 1234567 → "1,234,567".
    static func number(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }
}
