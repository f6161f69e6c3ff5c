import FoundationEssentials
import Postgres

/// The messaging repositories on the worker thread's PostgreSQL connection.
struct PostgresMessagingStore: MessagingStore {
    let database: PostgresDatabase

    func read<T>(_ body: (MessagingRepositories) throws -> T) throws -> T {
        try database.read { connection in try body(Self.repositories(connection)) }
    }

    func transaction<T>(_ body: (MessagingRepositories) throws -> T) throws -> T {
        do {
            return try database.transaction { connection in try body(Self.repositories(connection)) }
        } catch let error as PostgresTransactionError where error.closureError is MessagingError && error.rollbackError == nil {
            // A refusal decided by the service (403, 400…): rolled back cleanly; surface it as is.
            throw error.closureError!
        }
    }

    func write<T>(_ body: (MessagingRepositories) throws -> T) throws -> T {
        try database.write { connection in try body(Self.repositories(connection)) }
    }

    static func repositories(_ connection: PostgresConnection) -> MessagingRepositories {
        MessagingRepositories(
            users: PostgresMessagingUserRepository(connection: connection),
            conversations: PostgresConversationRepository(connection: connection),
            messages: PostgresMessageRepository(connection: connection),
            notifications: PostgresNotificationRepository(connection: connection),
            idempotency: PostgresIdempotencyRepository(connection: connection),
            conversationPages: PostgresConversationPageRepository(connection: connection))
    }
}
