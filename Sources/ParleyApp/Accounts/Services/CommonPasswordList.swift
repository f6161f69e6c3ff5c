import Foundation

/// Django's 20,000 common passwords (or an operator's list), held once per process as a set of
/// lowercased lines. A list that cannot be read is remembered as such, and start-up refuses it
/// (``check()``), so a broken install is a clear error, not a silently weaker rule.
public final class CommonPasswordList: Sendable {
    private let passwords: Set<String>
    /// The file the list came from.
    public let path: String
    private let problem: String?

    /// The list shipped with Parley (`Accounts/PasswordLists`), read on first use.
    public static let bundled = CommonPasswordList(
        contentsOf: Resources.directory(named: "PasswordLists", environmentKey: "PARLEY_PASSWORD_LISTS_DIR") + "/common-passwords.txt")

    /// Reads `path`: one password per line, compared lowercased and trimmed, as Django does.
    public init(contentsOf path: String) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            passwords = []
            problem = "The common-password list \(path) cannot be read."
            return
        }
        var passwords = Set<String>(minimumCapacity: 20_000)
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let entry = line.trimmingCharacters(in: .whitespaces).lowercased()
            if !entry.isEmpty { passwords.insert(entry) }
        }
        self.passwords = passwords
        problem = passwords.isEmpty ? "The common-password list \(path) is empty." : nil
    }

    /// How many passwords the list holds.
    public var count: Int { passwords.count }

    /// Throws when the list could not be read or was empty.
    public func check() throws {
        if let problem { throw ConfigurationError(problem) }
    }

    func contains(_ password: String) -> Bool {
        passwords.contains(password.lowercased().trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
