import Synchronization
import Web

/// Django's 20,000 common passwords (or an operator's list), read on the first password check
/// (most worker processes never check one) and then held as a set of lowercased lines. Start-up
/// only checks that the file can be read (``check()``), so a broken install is a clear error,
/// not a silently weaker rule.
public final class CommonPasswordList: Sendable {
    /// The file the list comes from.
    public let path: String
    private let directory: ResourceDirectory
    private let file: String
    private let passwords: Mutex<Set<String>?>

    /// The list shipped with Parley (`Accounts/PasswordLists`).
    public static let bundled = CommonPasswordList(
        directory: Resources.directory(named: "Accounts/PasswordLists", environmentKey: "PARLEY_PASSWORD_LISTS_DIR"), file: "common-passwords.txt")

    /// One password per line, compared lowercased and trimmed, as Django does.
    public convenience init(contentsOf path: String) {
        let slash = path.lastIndex(of: "/")
        self.init(
            directory: .disk(slash.map { String(path[..<$0]) } ?? "."),
            file: slash.map { String(path[path.index(after: $0)...]) } ?? path, path: path)
    }

    init(directory: ResourceDirectory, file: String, path: String? = nil) {
        self.path = path ?? "\(directory)/\(file)"
        self.directory = directory
        self.file = file
        passwords = Mutex(nil)
    }

    /// Throws when the file cannot be read.
    public func check() throws {
        guard directory.isReadable(file) else {
            throw ConfigurationError("The common-password list \(path) cannot be read.")
        }
    }

    /// How many distinct passwords the list holds (reads it if not yet read).
    public var count: Int { loaded().count }

    func contains(_ password: String) -> Bool {
        loaded().contains(password.lowercased().trimmingWhitespaceAndNewlines())
    }

    private func loaded() -> Set<String> {
        passwords.withLock { cached in
            if let cached { return cached }
            let read = Self.read(directory.contents(of: file))
            cached = read
            return read
        }
    }

    /// The lines of `path`; an unreadable file (checked at start-up) leaves the list empty
    /// rather than failing a sign-up.
    private static func read(_ data: [UInt8]?) -> Set<String> {
        guard let data else { return [] }
        var passwords = Set<String>(minimumCapacity: 20_000)
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                // Django's lines are already lowercased ASCII without spaces: taken as they are;
                // anything else goes through the same normalisation as a password checked.
                if line.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !(0x41...0x5A).contains($0) }) {
                    passwords.insert(String(decoding: line, as: UTF8.self))
                } else {
                    let entry = String(decoding: line, as: UTF8.self).trimmingWhitespaceAndNewlines().lowercased()
                    if !entry.isEmpty { passwords.insert(entry) }
                }
            }
        }
        return passwords
    }
}
