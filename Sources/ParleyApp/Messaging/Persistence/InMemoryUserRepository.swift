import Foundation

struct InMemoryUserRepository: MessagingUserRepository {
    let workspace: InMemoryWorkspace

    func existingUserIDs(_ ids: [UUID]) throws -> Set<UUID> {
        Set(ids.filter { workspace.state.users[$0] != nil })
    }
}
