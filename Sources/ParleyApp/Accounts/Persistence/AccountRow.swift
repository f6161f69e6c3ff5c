import FoundationEssentials

/// A `users` row as the account queries select it, in the order `AccountRow.columns` lists them.
struct AccountRow: Decodable {
    let userID: UUID
    let username: String
    let email: String
    let firstName: String
    let lastName: String
    let phoneNumber: String?
    let role: String
    let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", username, email, firstName = "first_name", lastName = "last_name"
        case phoneNumber = "phone_number", role, createdAt = "created_at"
    }

    /// The select (and RETURNING) list of every query that decodes an ``Account``: the one
    /// place that names these columns, spliced into the statements as constant text
    /// (`\(unsafeRaw: AccountRow.columns)`).
    static let columns = "user_id, username, email, first_name, last_name, phone_number, role, created_at"

    var account: Account {
        Account(
            id: userID, username: username, email: email, firstName: firstName, lastName: lastName,
            phoneNumber: phoneNumber, role: Role(rawValue: role) ?? .guest, createdAt: createdAt)
    }
}
