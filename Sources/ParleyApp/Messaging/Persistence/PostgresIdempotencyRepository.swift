import FoundationEssentials
import Postgres

/// idempotency_keys in PostgreSQL. A claim is an INSERT on the (user_id, idempotency_key)
/// primary key: a second request with the same key blocks on the first one's uncommitted row
/// until it commits (then sees its stored answer) or rolls back (then claims the key itself).
struct PostgresIdempotencyRepository: IdempotencyRepository {
    let connection: PostgresConnection

    private static let live = "created_at >= now() - interval '24 hours'"

    func find(userID: UUID, key: String) throws -> IdempotencyRecord? {
        guard let row = try connection.query("""
            SELECT request_fingerprint, response_status, response_body FROM idempotency_keys
            WHERE user_id = \(userID) AND idempotency_key = \(key) AND \(unsafeRaw: Self.live)
            """).first else { return nil }
        let (fingerprint, status, body) = try row.decode((String, Int, Data).self)
        return IdempotencyRecord(fingerprint: fingerprint, response: StoredResponse(status: status, body: Array(body)))
    }

    func claim(userID: UUID, key: String, fingerprint: String) throws -> Bool {
        try connection.query("""
            INSERT INTO idempotency_keys AS k (user_id, idempotency_key, request_fingerprint, response_status, response_body)
            VALUES (\(userID), \(key), \(fingerprint), 0, ''::bytea)
            ON CONFLICT (user_id, idempotency_key) DO UPDATE
                SET request_fingerprint = EXCLUDED.request_fingerprint, response_status = 0,
                    response_body = ''::bytea, created_at = now()
                WHERE k.created_at < now() - interval '24 hours'
            RETURNING 1
            """).count == 1
    }

    func complete(userID: UUID, key: String, response: StoredResponse) throws {
        try connection.execute("""
            UPDATE idempotency_keys SET response_status = \(response.status), response_body = \(Data(response.body))
            WHERE user_id = \(userID) AND idempotency_key = \(key)
            """)
    }

    func purgeExpired(limit: Int) throws -> Int {
        try connection.execute("""
            DELETE FROM idempotency_keys WHERE ctid IN (
                SELECT ctid FROM idempotency_keys WHERE created_at < now() - interval '24 hours'
                LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            """)
    }
}
