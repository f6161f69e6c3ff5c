import Foundation

struct InMemoryIdempotencyRepository: IdempotencyRepository {
    let workspace: InMemoryWorkspace

    func find(userID: UUID, key: String) throws -> IdempotencyRecord? {
        guard let stored = workspace.state.idempotencyKeys[InMemoryMessagingState.idempotencyKey(userID, key)],
              stored.createdAt >= Date().addingTimeInterval(-Idempotency.lifetime)
        else { return nil }
        return IdempotencyRecord(fingerprint: stored.fingerprint, response: stored.response)
    }

    func claim(userID: UUID, key: String, fingerprint: String) throws -> Bool {
        if try find(userID: userID, key: key) != nil { return false }
        let now = workspace.state.now()
        workspace.state.idempotencyKeys[InMemoryMessagingState.idempotencyKey(userID, key)] =
            .init(fingerprint: fingerprint, response: StoredResponse(status: 0, body: []), createdAt: now)
        return true
    }

    func complete(userID: UUID, key: String, response: StoredResponse) throws {
        workspace.state.idempotencyKeys[InMemoryMessagingState.idempotencyKey(userID, key)]?.response = response
    }

    func purgeExpired(limit: Int) throws -> Int {
        let cutoff = Date().addingTimeInterval(-Idempotency.lifetime)
        let expired = workspace.state.idempotencyKeys.filter { $0.value.createdAt < cutoff }.prefix(limit)
        for (key, _) in expired { workspace.state.idempotencyKeys[key] = nil }
        return expired.count
    }
}
