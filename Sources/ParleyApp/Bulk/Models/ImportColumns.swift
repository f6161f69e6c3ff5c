import FoundationEssentials
import Web

/// Where each known column sits in the CSV header. `username`, `email`, `first_name` and
/// `last_name` are required; `role` and `password` optional; any other name is refused.
struct ImportColumns {
    static let required = ["username", "email", "first_name", "last_name"]
    static let optional = ["role", "password"]

    let count: Int
    let username: Int
    let email: Int
    let firstName: Int
    let lastName: Int
    let role: Int?
    let password: Int?

    init(header: [String]) throws(UserImportError) {
        let names = header.map { $0.trimmingWhitespace().lowercased() }
        let known = Set(Self.required + Self.optional)
        let unknown = names.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw UserImportError(line: 1, message: "unknown column\(unknown.count == 1 ? "" : "s") \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); the columns are \((Self.required + Self.optional).joined(separator: ", "))")
        }
        var seen = Set<String>()
        let repeated = names.filter { !seen.insert($0).inserted }
        guard repeated.isEmpty else {
            throw UserImportError(line: 1, message: "column\(repeated.count == 1 ? "" : "s") \(repeated.map { "\"\($0)\"" }.joined(separator: ", ")) given more than once")
        }
        let missing = Self.required.filter { !names.contains($0) }
        guard missing.isEmpty else {
            throw UserImportError(line: 1, message: "missing column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))")
        }
        count = names.count
        username = names.firstIndex(of: "username")!
        email = names.firstIndex(of: "email")!
        firstName = names.firstIndex(of: "first_name")!
        lastName = names.firstIndex(of: "last_name")!
        role = names.firstIndex(of: "role")
        password = names.firstIndex(of: "password")
    }
}
