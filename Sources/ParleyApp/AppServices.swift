import FoundationEssentials
import Logging
import Postgres

/// The services each request gets, from what ``ParleyApplication`` builds once per process:
/// the configuration, the one password-hashing gate, the JWT signer and the repository
/// factory. A service is built per request on the worker thread's database (``AppContext``);
/// services are small values, so that costs no allocation. Controllers, middleware and pages
/// receive this container and build nothing themselves.
final class AppServices: Sendable {
    let configuration: AppConfiguration
    let repositories: any Repositories
    /// The process's one ``ConcurrencyGate`` for argon2id, shared by the API and the pages.
    let hasher: PasswordHasher
    let signer: JWTSigner
    /// Which user each session token (by its hash) was issued for (``SessionService/users``).
    let sessionUsers = BoundedCache<UUID>(capacity: 10_000)
    /// Access tokens already verified, with their claims.
    let verifiedTokens = VerifiedTokens()

    init(configuration: AppConfiguration, repositories: any Repositories, hasher: PasswordHasher) {
        self.configuration = configuration
        self.repositories = repositories
        self.hasher = hasher
        self.signer = JWTSigner(key: configuration.auth.jwtKey)
    }

    func accounts(_ context: AppContext) -> AccountService {
        accounts(database: context.database, logger: context.logger)
    }

    /// For the commands too (`parley createuser`, `parley seed`), which have no request.
    func accounts(database: PostgresDatabase, logger: Logger) -> AccountService {
        AccountService(
            accounts: repositories.accounts(database), hasher: hasher,
            configuration: configuration.auth, logger: logger, limiter: rateLimiter(database))
    }

    func tokens(_ context: AppContext) -> TokenService {
        TokenService(
            accounts: repositories.accounts(context.database),
            tokens: repositories.refreshTokens(context.database),
            hasher: hasher, limiter: rateLimiter(context.database), signer: signer,
            configuration: configuration.auth, logger: context.logger)
    }

    func sessions(_ context: AppContext) -> SessionService {
        SessionService(
            sessions: repositories.sessions(context.database), configuration: configuration.sessions, users: sessionUsers, logger: context.logger)
    }

    func passwordChanges(_ context: AppContext) -> any PasswordChangeRepository {
        repositories.passwordChanges(context.database)
    }

    func conversations(_ context: AppContext) -> ConversationService {
        ConversationService(store: repositories.messaging(context.database))
    }

    func messages(_ context: AppContext) -> MessageService {
        MessageService(store: repositories.messaging(context.database), limiter: rateLimiter(context.database), configuration: configuration.messaging)
    }

    func notifications(_ context: AppContext) -> NotificationService {
        NotificationService(store: repositories.messaging(context.database))
    }

    /// The user behind an access token (authentication, on every API request with one), checked
    /// in the request's first read (``DeferredAuthentication``).
    func deferredAuthentication(_ context: AppContext, id: UUID, family: UUID?) -> DeferredAuthentication {
        DeferredAuthentication(accounts: repositories.accounts(context.database), userID: id, family: family, context: context)
    }

    /// The subscription check of live updates (`LiveController`).
    func live(_ context: AppContext) -> any LiveRepository {
        repositories.live(context.database)
    }

    /// The TechEmpower tables, for the bench routes.
    func bench(_ context: AppContext) -> any BenchRepository {
        repositories.bench(context.database)
    }

    private func rateLimiter(_ database: PostgresDatabase) -> RateLimiter {
        RateLimiter(store: repositories.rateLimits(database))
    }
}
