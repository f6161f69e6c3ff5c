import Postgres

/// Where every repository comes from. Repositories are per request by nature: each worker
/// thread has its own database connection (``AppContext/database``), so the composition root
/// holds this factory and ``AppServices`` asks it for each request's repositories.
protocol Repositories: Sendable {
    func accounts(_ database: PostgresDatabase) -> any AccountRepository
    func passwordChanges(_ database: PostgresDatabase) -> any PasswordChangeRepository
    func refreshTokens(_ database: PostgresDatabase) -> any RefreshTokenRepository
    func sessions(_ database: PostgresDatabase) -> any SessionRepository
    /// Conversations, messages, notifications and idempotency keys, which change together in
    /// one transaction.
    func messaging(_ database: PostgresDatabase) -> any MessagingStore
    func rateLimits(_ database: PostgresDatabase) -> any RateLimitStore
    /// The TechEmpower tables (`parley serve --bench` only).
    func bench(_ database: PostgresDatabase) -> any BenchRepository
    /// `parley import-users`, on the import transaction's connection.
    func userImport(_ connection: PostgresConnection) -> any UserImportRepository
    /// Data exports (the API, the account page and `parley export`).
    func export(_ database: PostgresDatabase) -> any ExportRepository
    /// Site statistics (`/admin/stats`, `parley stats`).
    func statistics(_ database: PostgresDatabase) -> any StatisticsRepository
    /// The demo data's clock (`parley seed` only).
    func demoTimeline(_ database: PostgresDatabase) -> any DemoTimelineRepository
    /// The subscription check of live updates.
    func live(_ database: PostgresDatabase) -> any LiveRepository
}
