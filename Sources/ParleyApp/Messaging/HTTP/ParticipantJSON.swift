import FoundationEssentials
import Web

/// `{"user_id", "username", "first_name", "last_name"}`.
struct ParticipantJSON: JSONObjectWritable {
    var user: UserSummary

    init(_ user: UserSummary) { self.user = user }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", username, firstName = "first_name", lastName = "last_name"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user.userID.apiString, forKey: .userID)
        try container.encode(user.username, forKey: .username)
        try container.encode(user.firstName, forKey: .firstName)
        try container.encode(user.lastName, forKey: .lastName)
    }

    func writeJSONObject(to object: inout JSONObjectWriter) {
        object.member("user_id", user.userID)
        object.member("username", user.username)
        object.member("first_name", user.firstName)
        object.member("last_name", user.lastName)
    }
}
