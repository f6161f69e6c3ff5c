import Postgres

/// The repositories on PostgreSQL. The only code that names the `Postgres…` repository and
/// store types, so everything else sees the protocols. Each is a small value over the
/// worker thread's database: making one allocates nothing.
struct PostgresRepositories: Repositories {
    func accounts(_ database: PostgresDatabase) -> any AccountRepository {
        PostgresAccountRepository(database: database)
    }

    func passwordChanges(_ database: PostgresDatabase) -> any PasswordChangeRepository {
        PostgresPasswordChangeRepository(database: database)
    }

    func refreshTokens(_ database: PostgresDatabase) -> any RefreshTokenRepository {
        PostgresRefreshTokenRepository(database: database)
    }

    func sessions(_ database: PostgresDatabase) -> any SessionRepository {
        PostgresSessionRepository(database: database)
    }

    func messaging(_ database: PostgresDatabase) -> any MessagingStore {
        PostgresMessagingStore(database: database)
    }

    func rateLimits(_ database: PostgresDatabase) -> any RateLimitStore {
        PostgresRateLimitStore(database: database)
    }

    func bench(_ database: PostgresDatabase) -> any BenchRepository {
        PostgresBenchRepository(database: database)
    }

    func userImport(_ connection: PostgresConnection) -> any UserImportRepository {
        PostgresUserImportRepository(connection: connection)
    }

    func export(_ database: PostgresDatabase) -> any ExportRepository {
        PostgresExportRepository(database: database)
    }

    func statistics(_ database: PostgresDatabase) -> any StatisticsRepository {
        PostgresStatisticsRepository(database: database)
    }

    func demoTimeline(_ database: PostgresDatabase) -> any DemoTimelineRepository {
        PostgresDemoTimelineRepository(database: database)
    }

    func live(_ database: PostgresDatabase) -> any LiveRepository {
        PostgresLiveRepository(database: database)
    }
}
