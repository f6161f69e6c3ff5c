import Testing
@testable import Postgres

/// Property names map to columns as written or in snake_case; the ASCII fast path must give
/// what the Character-based conversion gives.
@Suite("snake_case column names")
struct SnakeCaseTests {
    @Test("property names to column names", arguments: [
        ("id", "id"), ("createdAt", "created_at"), ("lastMessageAt", "last_message_at"), ("userID", "user_i_d"),
        ("URL", "u_r_l"), ("Name", "name"), ("a1B2", "a1_b2"), ("already_snake", "already_snake"), ("", ""),
        ("éditedAt", "édited_at"), ("nameÉ", "name_é"),
    ])
    func snakeCased(name: String, expected: String) {
        #expect(PostgresRow.snakeCased(name) == expected)
    }
}
