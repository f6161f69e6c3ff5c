import FoundationEssentials
import Postgres

/// The users table, read-only, as messaging needs it.
struct PostgresMessagingUserRepository: MessagingUserRepository {
    let connection: PostgresConnection

    func existingUserIDs(_ ids: [UUID]) throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        return Set(try connection.query("SELECT user_id FROM users WHERE user_id = ANY(\(ids))").map { try $0.decode(UUID.self, column: "user_id") })
    }
}
