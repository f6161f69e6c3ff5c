import FoundationEssentials

/// Where accounts are kept. The PostgreSQL implementation is the only place with their SQL.
///
/// Uniqueness of username and email (case-insensitive) is the store's job: `create` and
/// `update` throw ``DuplicateAccountError`` rather than callers checking first (which races).
protocol AccountRepository {
    func create(_ account: NewAccount) throws -> Account
    func find(id: UUID) throws -> Account?
    /// The user with `id` as authentication needs it, on every request with a token: nil when
    /// there is none, or when `family` (an access token's refresh family) has been revoked by
    /// log-out or reuse detection. Not run now but carried in front of the next read's first
    /// round trip (or run alone before the next write); `verdict` gets its answer before that
    /// read's results are returned, and refuses them by throwing. Until then, nothing read may
    /// be shown and nothing may be written for the user.
    func deferAuthenticatedUser(id: UUID, family: UUID?, verdict: @escaping (AuthenticatedUser?) throws -> Void)
    /// Runs a deferred check that is still pending, alone (its `verdict` is called as above).
    func settleDeferredCheck() throws
    /// Drops a deferred check that is still pending (the request is over).
    func dropDeferredCheck()
    /// The accounts whose usernames equal one of `usernames` case-insensitively (exact: no
    /// substring, no email), in any order.
    func accounts(usernames: [String]) throws -> [Account]
    /// The account whose username, or else whose email, equals `identifier` case-insensitively;
    /// only by email when `emailOnly`.
    func credentials(login identifier: String, emailOnly: Bool) throws -> AccountCredentials?
    /// Applies `changes`; nil when the account does not exist.
    func update(id: UUID, _ changes: AccountChanges) throws -> Account?
    /// Stores `newHash` only if the stored hash is still `oldHash` (a rehash must not undo a
    /// password change that happened meanwhile). True when stored.
    func replacePasswordHash(id: UUID, oldHash: String, newHash: String) throws -> Bool
    func setRole(id: UUID, role: Role) throws -> Account?
    /// Deletes the account and, by cascade, everything that belongs to it. False if absent.
    func delete(id: UUID) throws -> Bool
    /// Accounts whose "username first_name last_name" contains every term (case-insensitive,
    /// terms taken literally: `%` and `_` are not wildcards), ordered by username; all when
    /// `terms` is empty.
    func search(terms: [String], page: PageRequest) throws -> Page<Account>
}
