import FoundationEssentials
import Postgres

/// Refresh tokens in the `refresh_tokens` table (migration 0003).
struct PostgresRefreshTokenRepository: RefreshTokenRepository {
    let database: PostgresDatabase

    func insert(_ token: RefreshTokenRecord) throws {
        try database.write { connection in try Self.insert(token, on: connection) }
    }

    func withLockedToken<T>(hash: String, _ body: (RefreshTokenRecord?, RefreshTokenUpdates) throws -> T) throws -> T {
        do {
            return try database.transaction { connection in
                // FOR UPDATE: a second refresh with the same token waits here until the first
                // commits, then sees its used_at, and is treated as reuse.
                let rows = try connection.query("""
                    SELECT token_hash, user_id, family_id, family_started_at, issued_at, expires_at, used_at, revoked_at
                    FROM refresh_tokens WHERE token_hash = \(hash) FOR UPDATE
                    """)
                let record = try rows.first.map { row in
                    let (tokenHash, userID, familyID, familyStartedAt, issuedAt, expiresAt, usedAt, revokedAt) =
                        try row.decode((String, UUID, UUID, Date, Date, Date, Date?, Date?).self)
                    return RefreshTokenRecord(
                        tokenHash: tokenHash, userID: userID, familyID: familyID, familyStartedAt: familyStartedAt, issuedAt: issuedAt,
                        expiresAt: expiresAt, usedAt: usedAt, revokedAt: revokedAt)
                }
                return try body(record, Updates(connection: connection))
            }
        } catch let error as PostgresTransactionError {
            // Keep the service's own errors recognisable; database failures stay wrapped.
            if let closureError = error.closureError, !(closureError is PostgresError) { throw closureError }
            throw error
        }
    }

    func revokeFamily(containing hash: String, at time: Date) throws -> Bool {
        try database.write { connection in
            let rows = try connection.query("""
                WITH family AS (SELECT family_id FROM refresh_tokens WHERE token_hash = \(hash))
                UPDATE refresh_tokens SET revoked_at = \(time)
                WHERE family_id = (SELECT family_id FROM family) AND revoked_at IS NULL
                RETURNING 1
                """)
            if !rows.isEmpty { return true }
            return try !connection.query("SELECT 1 FROM refresh_tokens WHERE token_hash = \(hash)").isEmpty
        }
    }

    func activeFamilies(of userID: UUID, at time: Date) throws -> [RefreshTokenFamily] {
        try database.read { connection in
            try connection.query("""
                SELECT family_id, family_started_at, issued_at FROM refresh_tokens
                WHERE user_id = \(userID) AND used_at IS NULL AND revoked_at IS NULL AND expires_at > \(time)
                ORDER BY issued_at DESC
                """).map { row in
                let (familyID, startedAt, lastUsedAt) = try row.decode((UUID, Date, Date).self)
                return RefreshTokenFamily(familyID: familyID, startedAt: startedAt, lastUsedAt: lastUsedAt)
            }
        }
    }

    func revokeFamily(_ familyID: UUID, of userID: UUID, at time: Date) throws -> Bool {
        try database.write { connection in
            try connection.execute("""
                UPDATE refresh_tokens SET revoked_at = \(time)
                WHERE family_id = \(familyID) AND user_id = \(userID) AND revoked_at IS NULL
                """) > 0
        }
    }

    func purgeExpired(before cutoff: Date, limit: Int) throws -> Int {
        try database.write { connection in
            try connection.execute("""
                DELETE FROM refresh_tokens WHERE token_hash IN (
                    SELECT token_hash FROM refresh_tokens WHERE expires_at < \(cutoff) LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                """)
        }
    }

    static func insert(_ token: RefreshTokenRecord, on connection: PostgresConnection) throws {
        try connection.execute("""
            INSERT INTO refresh_tokens (token_hash, user_id, family_id, family_started_at, issued_at, expires_at)
            VALUES (\(token.tokenHash), \(token.userID), \(token.familyID), \(token.familyStartedAt), \(token.issuedAt), \(token.expiresAt))
            """)
    }

    private struct Updates: RefreshTokenUpdates {
        let connection: PostgresConnection

        func markUsed(hash: String, at time: Date) throws {
            try connection.execute("UPDATE refresh_tokens SET used_at = \(time) WHERE token_hash = \(hash)")
        }

        func revokeFamily(_ familyID: UUID, at time: Date) throws {
            try connection.execute("""
                UPDATE refresh_tokens SET revoked_at = \(time) WHERE family_id = \(familyID) AND revoked_at IS NULL
                """)
        }

        func insert(_ token: RefreshTokenRecord) throws {
            try PostgresRefreshTokenRepository.insert(token, on: connection)
        }
    }
}
