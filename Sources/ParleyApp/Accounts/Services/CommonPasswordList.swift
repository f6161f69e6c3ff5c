import Foundation
import Synchronization

/// Django's 20,000 common passwords (or an operator's list), read on the first password check
/// (most worker processes never check one) and then held as a set of lowercased lines. Start-up
/// only checks that the file can be read (``check()``), so a broken install is a clear error,
/// not a silently weaker rule.
public final class CommonPasswordList: Sendable {
    /// The file the list comes from.
    public let path: String
    private let passwords: Mutex<Set<String>?>

    /// The list shipped with Parley (`Accounts/PasswordLists`).
    public static let bundled = CommonPasswordList(
        contentsOf: Resources.directory(named: "PasswordLists", environmentKey: "PARLEY_PASSWORD_LISTS_DIR") + "/common-passwords.txt")

    /// One password per line, compared lowercased and trimmed, as Django does.
    public init(contentsOf path: String) {
        self.path = path
        passwords = Mutex(nil)
    }

    /// Throws when the file cannot be read.
    public func check() throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ConfigurationError("The common-password list \(path) cannot be read.")
        }
    }

    /// How many distinct passwords the list holds (reads it if not yet read).
    public var count: Int { loaded().count }

    func contains(_ password: String) -> Bool {
        loaded().contains(password.lowercased().trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func loaded() -> Set<String> {
        passwords.withLock { cached in
            if let cached { return cached }
            let read = Self.read(path)
            cached = read
            return read
        }
    }

    /// The lines of `path`; an unreadable file (checked at start-up) leaves the list empty
    /// rather than failing a sign-up.
    private static func read(_ path: String) -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var passwords = Set<String>(minimumCapacity: 20_000)
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                // Django's lines are already lowercased ASCII without spaces: taken as they are;
                // anything else goes through the same normalisation as a password checked.
                if line.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !(0x41...0x5A).contains($0) }) {
                    passwords.insert(String(decoding: line, as: UTF8.self))
                } else {
                    let entry = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                    if !entry.isEmpty { passwords.insert(entry) }
                }
            }
        }
        return passwords
    }
}
