import FoundationEssentials
import Web

// The JSON shapes of the messaging API (the *JSON types): ids are lowercase UUID text,
// dates ISO 8601 with a time zone, absent values `null`, never missing keys.

/// `{"user_id", "username"}`.
struct UserReferenceJSON: JSONObjectWritable {
    var user: UserReference

    init(_ user: UserReference) { self.user = user }

    enum CodingKeys: String, CodingKey { case userID = "user_id", username }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user.userID.apiString, forKey: .userID)
        try container.encode(user.username, forKey: .username)
    }

    func writeJSONObject(to object: inout JSONObjectWriter) {
        object.member("user_id", user.userID)
        object.member("username", user.username)
    }
}
