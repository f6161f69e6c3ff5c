import FoundationEssentials

extension AccountService {
    /// The accounts whose usernames are among `usernames` (case-insensitive, exact: no
    /// substring, no email), and the names that match nobody, in the order given.
    func accounts(named usernames: [String]) throws -> (found: [Account], unknown: [String]) {
        var wanted: [String] = []
        for name in usernames where !wanted.contains(where: { $0.lowercased() == name.lowercased() }) { wanted.append(name) }
        guard !wanted.isEmpty else { return ([], []) }
        let found = try accounts.accounts(usernames: wanted)
        let unknown = wanted.filter { name in !found.contains { $0.username.lowercased() == name.lowercased() } }
        return (found, unknown)
    }
}
