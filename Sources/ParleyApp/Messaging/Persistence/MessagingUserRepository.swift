import FoundationEssentials

/// What messaging needs to know about accounts (the accounts code owns the users table).
protocol MessagingUserRepository {
    /// The ids among `ids` that belong to existing users.
    func existingUserIDs(_ ids: [UUID]) throws -> Set<UUID>

    /// The usernames of those among `ids` that belong to existing users.
    func usernames(_ ids: [UUID]) throws -> [UUID: String]
}
