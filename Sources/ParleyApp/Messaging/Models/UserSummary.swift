import FoundationEssentials

/// A participant as conversations show them.
struct UserSummary: Sendable, Equatable, Decodable {
    var userID: UUID
    var username: String
    var firstName: String
    var lastName: String

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", username, firstName = "first_name", lastName = "last_name"
    }
}

/// A user named by a message, an edit or a notification: id and username.
struct UserReference: Sendable, Equatable {
    var userID: UUID
    var username: String
}
