/// The SQL of site statistics: each figure is one aggregate query; no row reaches Swift to be
/// counted.
protocol StatisticsRepository {
    func totals() throws -> (users: Int, conversations: Int, messages: Int)
    func messagesPerDay(days: Int) throws -> [SiteStatisticsReport.Day]
    func messagesPerConversation() throws -> (average: Double, p95: Double)
    func activeHours(days: Int) throws -> [SiteStatisticsReport.Hour]
}
