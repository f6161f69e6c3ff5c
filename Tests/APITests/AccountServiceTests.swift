import Foundation
import Logging
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Synchronization
import Testing

/// The account and token services over the PostgreSQL repositories they ship with: the rules,
/// and the SQL behind them, without HTTP.
@Suite("Account and token services", .enabled(if: TestEnvironment.runsIntegration))
struct AccountServiceTests {
    final class Clock: Sendable {
        let seconds = Mutex<TimeInterval>(Date().timeIntervalSince1970)
        var now: Date { Date(timeIntervalSince1970: seconds.withLock { $0 }) }
        func advance(_ interval: TimeInterval) { seconds.withLock { $0 += interval } }
    }

    struct World {
        let database: PostgresDatabase
        let clock = Clock()
        var configuration = AuthConfiguration.testing()
        let hasher = PasswordHasher(parameters: .minimum, concurrency: 2, queueLimit: 8, waitTimeout: .seconds(1))
        /// Appended to every name, so that this test's accounts are its own in the shared database.
        let suffix = uniqueName("t")

        init() throws {
            database = PostgresDatabase(
                configuration: PostgresConfiguration(url: try TestEnvironment.databaseURL),
                logger: Logger(label: "account-service-test") { _ in SwiftLogNoOpLogHandler() })
        }

        var accountService: AccountService {
            AccountService(accounts: PostgresAccountRepository(database: database), hasher: hasher, configuration: configuration)
        }

        var tokenService: TokenService {
            let clock = self.clock
            return TokenService(
                accounts: PostgresAccountRepository(database: database), tokens: PostgresRefreshTokenRepository(database: database),
                hasher: hasher, limiter: RateLimiter(store: PostgresRateLimitStore(database: database)),
                signer: JWTSigner(key: configuration.jwtKey), configuration: configuration, now: { clock.now })
        }

        /// `base` made unique to this test (`ada` → `ada_t_…`).
        func name(_ base: String) -> String { base + "_" + suffix }

        func register(_ username: String, email: String? = nil, password: String = "correct horse battery") throws -> Account {
            try accountService.register(RegistrationInput(
                username: name(username), email: email ?? "\(name(username))@example.com", password: password,
                firstName: "Ada", lastName: "Lovelace"))
        }

        func passwordHash(_ userID: UUID) throws -> String? {
            try database.read { try $0.query("SELECT password_hash FROM users WHERE user_id = \(userID)").first?.decode(String.self) }
        }

        /// The user's refresh tokens as stored: whether each was used, and revoked.
        func refreshTokens(of userID: UUID) throws -> [(used: Bool, revoked: Bool)] {
            try database.read { connection in
                try connection.query("SELECT used_at IS NOT NULL, revoked_at IS NOT NULL FROM refresh_tokens WHERE user_id = \(userID)")
                    .decode((Bool, Bool).self).map { (used: $0, revoked: $1) }
            }
        }
    }

    @Test("registration validates every field at once and stores an argon2id hash, never the password")
    func register() throws {
        let world = try World()
        let account = try world.register("ada")
        #expect(account.role == .guest)
        let hash = try #require(try world.passwordHash(account.id))
        #expect(hash.hasPrefix("$argon2id$"))
        #expect(!hash.contains("correct horse battery"))

        let error = #expect(throws: AccountError.self) {
            try world.accountService.register(RegistrationInput(username: "bad name", email: "x", password: "short"))
        }
        #expect(Set(error?.fieldErrors?.keys ?? [:].keys) == ["username", "email", "password", "first_name", "last_name"])
        let duplicate = #expect(throws: AccountError.self) { try world.register("ADA", email: "\(world.name("other"))@example.com") }
        #expect(duplicate?.fieldErrors == ["username": ["A user with that username already exists."]])
    }

    @Test("log-in by username or email; wrong password and unknown user are the same error")
    func login() throws {
        let world = try World()
        _ = try world.register("grace")
        let pair = try world.tokenService.login(identifier: world.name("GRACE"), emailOnly: false, password: "correct horse battery", clientAddress: "192.0.2.1")
        let claims = try JWTSigner(key: world.configuration.jwtKey).verify(pair.access)
        #expect(claims.tokenType == .access)
        _ = try world.tokenService.login(identifier: "\(world.name("grace"))@example.com", emailOnly: true, password: "correct horse battery", clientAddress: nil)
        #expect(throws: AccountError.invalidCredentials) {
            try world.tokenService.login(identifier: world.name("grace"), emailOnly: false, password: "wrong one!", clientAddress: nil)
        }
        #expect(throws: AccountError.invalidCredentials) {
            try world.tokenService.login(identifier: world.name("nobody"), emailOnly: false, password: "correct horse battery", clientAddress: nil)
        }
        #expect(throws: AccountError.invalidCredentials) {
            try world.tokenService.login(identifier: world.name("grace"), emailOnly: true, password: "correct horse battery", clientAddress: nil)
        }
    }

    @Test("rotation, reuse detection revoking the family, expiry and log-out")
    func refreshRules() throws {
        let world = try World()
        let linus = try world.register("linus")
        let service = world.tokenService
        let first = try service.login(identifier: world.name("linus"), emailOnly: false, password: "correct horse battery", clientAddress: nil)
        let second = try service.refresh(first.refresh)
        let third = try service.refresh(second.refresh)
        #expect(try world.refreshTokens(of: linus.id).count == 3)
        #expect(try world.refreshTokens(of: linus.id).filter { !$0.used }.count == 1)

        #expect(throws: AccountError.invalidToken) { try service.refresh(first.refresh) }
        #expect(try world.refreshTokens(of: linus.id).allSatisfy(\.revoked))
        #expect(throws: AccountError.invalidToken) { try service.refresh(third.refresh) }
        #expect(throws: AccountError.invalidToken) { try service.refresh(third.access) }

        let fresh = try service.login(identifier: world.name("linus"), emailOnly: false, password: "correct horse battery", clientAddress: nil)
        world.clock.advance(25 * 3600)
        #expect(throws: AccountError.invalidToken) { try service.refresh(fresh.refresh) }
        try service.revoke(fresh.refresh)  // an expired but authentic token still logs out
        #expect(throws: AccountError.invalidToken) { try service.revoke(fresh.access) }
    }

    @Test("failed log-ins are throttled per account; Retry-After counts down with the clock")
    func throttle() throws {
        var world = try World()
        world.configuration.loginFailuresPerAccount = 2
        world.configuration.loginFailureWindow = .seconds(60)
        _ = try world.register("tim")
        let service = world.tokenService
        for _ in 0..<2 {
            #expect(throws: AccountError.invalidCredentials) {
                try service.login(identifier: world.name("tim"), emailOnly: false, password: "bad password", clientAddress: "198.51.100.9")
            }
        }
        let refused = #expect(throws: AccountError.self) {
            try service.login(identifier: world.name("tim"), emailOnly: false, password: "correct horse battery", clientAddress: "198.51.100.9")
        }
        guard case .throttled(let seconds)? = refused?.kind else {
            Issue.record("expected throttled, got \(String(describing: refused))")
            return
        }
        #expect((1...120).contains(seconds))
    }

    @Test("profile edits, search paging and deletion")
    func profileSearchDelete() throws {
        let world = try World()
        let a = try world.register("alpha_one")
        _ = try world.register("alpha_two")
        _ = try world.register("beta")
        var input = ProfileUpdateInput()
        input.phoneNumber = .value("+1 555 0100")
        input.lastName = .value("Hopper")
        let updated = try world.accountService.updateProfile(id: a.id, input)
        #expect(updated.phoneNumber == "+1 555 0100")
        #expect(updated.lastName == "Hopper")

        // Both terms must match: "alpha", and the suffix that keeps other tests' accounts out.
        let terms = "ALPHA " + world.suffix.uppercased()
        let page = try world.accountService.search(terms, page: PageRequest(number: 1, size: 1))
        #expect(page.total == 2)
        #expect(page.items.map(\.username) == [world.name("alpha_one")])
        #expect(page.hasNext)
        #expect(throws: AccountError.invalidPage) { try world.accountService.search(terms, page: PageRequest(number: 3, size: 1)) }

        try world.accountService.deleteAccount(id: a.id)
        #expect(throws: AccountError.notFound) { try world.accountService.profile(id: a.id) }
        #expect(throws: AccountError.notFound) { try world.accountService.deleteAccount(id: a.id) }
    }

    @Test("only valid roles; nobody changes their own")
    func roles() throws {
        let world = try World()
        let admin = try world.register("root")
        let user = try world.register("user")
        #expect(try world.accountService.setRole(of: user.id, to: .value("host"), by: admin.id).role == .host)
        #expect(throws: AccountError.self) { try world.accountService.setRole(of: user.id, to: .value("owner"), by: admin.id) }
        #expect(throws: AccountError.self) { try world.accountService.setRole(of: admin.id, to: .value("guest"), by: admin.id) }
        #expect(throws: AccountError.notFound) { try world.accountService.setRole(of: UUID(), to: .value("host"), by: admin.id) }
    }
}
