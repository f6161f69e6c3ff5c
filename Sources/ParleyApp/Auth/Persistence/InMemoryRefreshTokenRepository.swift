import Foundation
import Synchronization

/// Refresh tokens in memory, for service tests. `withLockedToken` holds one lock for the whole
/// body and applies its writes only if the body returns (a transaction, in miniature).
final class InMemoryRefreshTokenRepository: RefreshTokenRepository, Sendable {
    private let rows = Mutex<[String: RefreshTokenRecord]>([:])

    init() {}

    func insert(_ token: RefreshTokenRecord) throws {
        rows.withLock { $0[token.tokenHash] = token }
    }

    func withLockedToken<T>(hash: String, _ body: (RefreshTokenRecord?, RefreshTokenUpdates) throws -> T) throws -> T {
        try rows.withLock { rows in
            let updates = Updates(rows: rows)
            let result = try body(rows[hash], updates)
            rows = updates.rows
            return result
        }
    }

    func activeFamilies(of userID: UUID, at time: Date) throws -> [RefreshTokenFamily] {
        rows.withLock { rows in
            rows.values.filter { $0.userID == userID && $0.usedAt == nil && $0.revokedAt == nil && $0.expiresAt > time }
                .sorted { $0.issuedAt > $1.issuedAt }
                .map { RefreshTokenFamily(familyID: $0.familyID, startedAt: $0.familyStartedAt, lastUsedAt: $0.issuedAt) }
        }
    }

    func revokeFamily(_ familyID: UUID, of userID: UUID, at time: Date) throws -> Bool {
        rows.withLock { rows in
            var revoked = false
            for (key, token) in rows where token.familyID == familyID && token.userID == userID && token.revokedAt == nil {
                rows[key]?.revokedAt = time
                revoked = true
            }
            return revoked
        }
    }

    func revokeFamily(containing hash: String, at time: Date) throws -> Bool {
        rows.withLock { rows in
            guard let family = rows[hash]?.familyID else { return false }
            for (key, token) in rows where token.familyID == family && token.revokedAt == nil { rows[key]?.revokedAt = time }
            return true
        }
    }

    func purgeExpired(before cutoff: Date, limit: Int) throws -> Int {
        rows.withLock { rows in
            let expired = rows.filter { $0.value.expiresAt < cutoff }.keys.prefix(limit)
            for key in expired { rows.removeValue(forKey: key) }
            return expired.count
        }
    }

    /// Every stored token, for tests.
    var all: [RefreshTokenRecord] { rows.withLock { Array($0.values) } }

    private final class Updates: RefreshTokenUpdates {
        var rows: [String: RefreshTokenRecord]
        init(rows: [String: RefreshTokenRecord]) { self.rows = rows }

        func markUsed(hash: String, at time: Date) throws { rows[hash]?.usedAt = time }

        func revokeFamily(_ familyID: UUID, at time: Date) throws {
            for (key, token) in rows where token.familyID == familyID && token.revokedAt == nil { rows[key]?.revokedAt = time }
        }

        func insert(_ token: RefreshTokenRecord) throws { rows[token.tokenHash] = token }
    }
}
