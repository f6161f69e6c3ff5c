import Foundation
import Synchronization

/// Accounts in memory, with the same uniqueness rules as the `users` table. For service tests.
final class InMemoryAccountRepository: AccountRepository, Sendable {
    private struct Stored {
        var account: Account
        var passwordHash: String
    }

    private let rows = Mutex<[UUID: Stored]>([:])

    init() {}

    func create(_ new: NewAccount) throws -> Account {
        try rows.withLock { rows in
            try Self.checkUnique(username: new.username, email: new.email, except: nil, in: rows)
            let account = Account(
                id: UUID(), username: new.username, email: new.email, firstName: new.firstName, lastName: new.lastName,
                phoneNumber: new.phoneNumber, role: new.role, createdAt: Date())
            rows[account.id] = Stored(account: account, passwordHash: new.passwordHash)
            return account
        }
    }

    func find(id: UUID) throws -> Account? {
        rows.withLock { $0[id]?.account }
    }

    /// Refresh-token families are not kept here, so `family` revokes nothing.
    func authenticatedUser(id: UUID, family: UUID?) throws -> AuthenticatedUser? {
        rows.withLock { rows in
            rows[id].map { AuthenticatedUser(id: $0.account.id, username: $0.account.username, role: $0.account.role) }
        }
    }

    func credentials(login identifier: String, emailOnly: Bool) throws -> AccountCredentials? {
        let key = identifier.lowercased()
        return rows.withLock { rows in
            let byUsername = emailOnly ? nil : rows.values.first { $0.account.username.lowercased() == key }
            guard let stored = byUsername ?? rows.values.first(where: { $0.account.email.lowercased() == key }) else { return nil }
            return AccountCredentials(account: stored.account, passwordHash: stored.passwordHash)
        }
    }

    func update(id: UUID, _ changes: AccountChanges) throws -> Account? {
        try rows.withLock { rows in
            guard var stored = rows[id] else { return nil }
            try Self.checkUnique(username: changes.username, email: changes.email, except: id, in: rows)
            if let username = changes.username { stored.account.username = username }
            if let email = changes.email { stored.account.email = email }
            if let firstName = changes.firstName { stored.account.firstName = firstName }
            if let lastName = changes.lastName { stored.account.lastName = lastName }
            if let phoneNumber = changes.phoneNumber { stored.account.phoneNumber = phoneNumber }
            rows[id] = stored
            return stored.account
        }
    }

    func replacePasswordHash(id: UUID, oldHash: String, newHash: String) throws -> Bool {
        rows.withLock { rows in
            guard rows[id]?.passwordHash == oldHash else { return false }
            rows[id]?.passwordHash = newHash
            return true
        }
    }

    func setRole(id: UUID, role: Role) throws -> Account? {
        rows.withLock { rows in
            rows[id]?.account.role = role
            return rows[id]?.account
        }
    }

    func delete(id: UUID) throws -> Bool {
        rows.withLock { $0.removeValue(forKey: id) != nil }
    }

    func search(terms: [String], page: PageRequest) throws -> Page<Account> {
        let lowered = terms.prefix(3).map { $0.lowercased() }
        let matches = rows.withLock { rows in
            rows.values.map(\.account).filter { account in
                let haystack = "\(account.username) \(account.firstName) \(account.lastName)".lowercased()
                return lowered.allSatisfy { haystack.contains($0) }
            }
        }
        .sorted { ($0.username.lowercased(), $0.id.uuidString) < ($1.username.lowercased(), $1.id.uuidString) }
        return Page(items: Array(matches.dropFirst(page.offset).prefix(page.size)), total: matches.count, request: page)
    }

    /// The stored hash, for tests.
    func passwordHash(id: UUID) -> String? {
        rows.withLock { $0[id]?.passwordHash }
    }

    private static func checkUnique(username: String?, email: String?, except id: UUID?, in rows: [UUID: Stored]) throws {
        for (otherID, other) in rows where otherID != id {
            if let username, other.account.username.lowercased() == username.lowercased() { throw DuplicateAccountError(field: .username) }
            if let email, other.account.email.lowercased() == email.lowercased() { throw DuplicateAccountError(field: .email) }
        }
    }
}
