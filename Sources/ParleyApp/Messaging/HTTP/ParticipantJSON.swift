import Foundation

/// `{"user_id", "username", "first_name", "last_name"}`.
struct ParticipantJSON: Encodable {
    var userID: String
    var username: String
    var firstName: String
    var lastName: String

    init(_ user: UserSummary) {
        userID = user.userID.apiString
        username = user.username
        firstName = user.firstName
        lastName = user.lastName
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", username, firstName = "first_name", lastName = "last_name"
    }
}
