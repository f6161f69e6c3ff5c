import FoundationEssentials
import Logging
import Postgres

/// `parley seed`: demo users and a few conversations, for trying Parley out and for the
/// screenshots. Everything goes through the services (registration with its validation and
/// argon2id hashing, conversations, messages with their notifications, an edit with its
/// history); afterwards the demo messages are spread over the last days so the pages show
/// relative times as they would in use.
///
/// Idempotent: a user that exists is left as it is (password included), and the conversations
/// are created only while alice has none.
public enum DemoSeed {
    public static let defaultPassword = "parley-demo"

    /// One demo login.
    public struct Login: Sendable {
        public let username: String
        public let role: String
        public let created: Bool
    }

    public struct Report: Sendable {
        public let logins: [Login]
        public let password: String
        public let conversationsCreated: Int

        /// What `parley seed` prints.
        public var text: String {
            var lines = ["Demo accounts (password for new ones: \(password)):"]
            for login in logins {
                lines.append("  \(Self.column(login.username, width: 8)) \(Self.column(login.role, width: 6)) \(login.created ? "created" : "already there, password unchanged")")
            }
            lines.append(conversationsCreated > 0 ? "Created \(conversationsCreated) demo conversations." : "Demo conversations already there.")
            lines.append("These accounts have a published password: never seed a production database.")
            return lines.joined(separator: "\n")
        }

        /// `text` cut or padded with spaces to `width` characters, as NSString's `padding(toLength:)` did.
        static func column(_ text: String, width: Int) -> String {
            String((text + String(repeating: " ", count: width)).prefix(width))
        }
    }

    struct Person {
        let username: String
        let firstName: String
        let lastName: String
        let role: Role
    }

    static let people = [
        Person(username: "alice", firstName: "Alice", lastName: "Archer", role: .host),
        Person(username: "bob", firstName: "Bob", lastName: "Baker", role: .guest),
        Person(username: "carol", firstName: "Carol", lastName: "Chen", role: .guest),
        Person(username: "admin", firstName: "Ada", lastName: "Admin", role: .admin),
    ]

    public static func run(database: PostgresDatabase, configuration: AppConfiguration, password: String = defaultPassword, logger: Logger) throws -> Report {
        let services = ParleyApplication.commandServices(configuration: configuration)
        let accounts = services.accounts(database: database, logger: logger)
        var logins: [Login] = []
        var users: [String: AuthenticatedUser] = [:]
        for person in people {
            let account: Account
            var created = false
            if let existing = try accounts.accounts(named: [person.username]).found.first {
                account = existing
            } else {
                account = try accounts.register(RegistrationInput(
                    username: person.username, email: "\(person.username)@example.com", password: password,
                    firstName: person.firstName, lastName: person.lastName, role: person.role))
                created = true
            }
            logins.append(Login(username: account.username, role: account.role.rawValue, created: created))
            users[person.username] = AuthenticatedUser(id: account.id, username: account.username, role: account.role)
        }

        let store = services.repositories.messaging(database)
        let conversations = ConversationService(store: store)
        guard let alice = users["alice"], try conversations.list(for: alice.id, page: PageRequest(size: 1)).total == 0 else {
            return Report(logins: logins, password: password, conversationsCreated: 0)
        }
        // Seeding is not chatting: no rate limit.
        let messages = MessageService(store: store, limiter: .unlimited, configuration: configuration.messaging)
        let script = DemoScript(users: users, conversations: conversations, messages: messages)
        let count = try script.play()
        try services.repositories.demoTimeline(database).spread(script.timeline)
        // Alice has read everything but the newest conversation (the screenshots log in as her).
        for id in script.readByAlice { _ = try conversations.markRead(id, by: alice) }
        return Report(logins: logins, password: password, conversationsCreated: count)
    }
}
