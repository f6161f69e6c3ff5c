import FoundationEssentials
import Postgres

extension PostgresMessagingUserRepository {
    func usernames(_ ids: [UUID]) throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        var names: [UUID: String] = [:]
        for row in try connection.query("SELECT user_id, username FROM users WHERE user_id = ANY(\(ids))") {
            let (id, username) = try row.decode((UUID, String).self)
            names[id] = username
        }
        return names
    }
}
