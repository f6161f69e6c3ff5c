import Foundation

// The JSON shapes of the messaging API (the *JSON types): ids are lowercase UUID text,
// dates ISO 8601 with a time zone, absent values `null`, never missing keys.

/// `{"user_id", "username"}`.
struct UserReferenceJSON: Encodable {
    var userID: String
    var username: String

    init(_ user: UserReference) {
        userID = user.userID.apiString
        username = user.username
    }

    enum CodingKeys: String, CodingKey { case userID = "user_id", username }
}
