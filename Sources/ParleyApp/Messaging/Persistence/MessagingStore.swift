/// Where the messaging services read and write: PostgreSQL (``PostgresMessagingStore``).
///
/// A service asks for the repositories inside `read` or `transaction`; everything done
/// through them in one `transaction` commits or rolls back together. A ``MessagingError``
/// thrown by the closure comes out as itself (after the rollback).
protocol MessagingStore {
    func read<T>(_ body: (MessagingRepositories) throws -> T) throws -> T
    /// Runs `body` in one transaction. It may run more than once (PostgreSQL retries
    /// serialization failures), so it must only act through the repositories.
    func transaction<T>(_ body: (MessagingRepositories) throws -> T) throws -> T
    /// Runs `body` once, outside a transaction (each statement commits on its own), and never
    /// again after a connection failure: for a read that also marks things read.
    func write<T>(_ body: (MessagingRepositories) throws -> T) throws -> T
}

/// The repositories of one read or transaction, bound to the same connection (or snapshot).
struct MessagingRepositories {
    var users: any MessagingUserRepository
    var conversations: any ConversationRepository
    var messages: any MessageRepository
    var notifications: any NotificationRepository
    var idempotency: any IdempotencyRepository
    var conversationPages: any ConversationPageRepository
}
