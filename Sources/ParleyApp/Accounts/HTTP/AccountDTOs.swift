import FoundationEssentials

/// `POST /api/register/`. Every field optional here so the service can report all missing
/// ones at once, as DRF does.
struct RegisterRequest: Decodable {
    var username: String?
    var email: String?
    var password: String?
    var firstName: String?
    var lastName: String?
    var phoneNumber: String?

    enum CodingKeys: String, CodingKey {
        case username, email, password, firstName = "first_name", lastName = "last_name", phoneNumber = "phone_number"
    }

    var input: RegistrationInput {
        RegistrationInput(username: username, email: email, password: password, firstName: firstName, lastName: lastName, phoneNumber: phoneNumber)
    }
}

/// `PATCH /api/users/me/`: tells an absent field from an explicit null. Unknown fields are
/// ignored, as DRF ignores them (`role` included: it is read-only here).
struct ProfileUpdateRequest: Decodable {
    var input = ProfileUpdateInput()

    enum CodingKeys: String, CodingKey {
        case username, email, password, firstName = "first_name", lastName = "last_name", phoneNumber = "phone_number"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input.username = try container.fieldUpdate(.username)
        input.email = try container.fieldUpdate(.email)
        input.firstName = try container.fieldUpdate(.firstName)
        input.lastName = try container.fieldUpdate(.lastName)
        input.phoneNumber = try container.fieldUpdate(.phoneNumber)
        input.triedPassword = container.contains(.password)
    }
}

/// `PATCH /api/admin/users/{id}/`.
struct RoleUpdateRequest: Decodable {
    var role: FieldUpdate<String>

    enum CodingKeys: String, CodingKey { case role }

    init(from decoder: any Decoder) throws {
        role = try decoder.container(keyedBy: CodingKeys.self).fieldUpdate(.role)
    }
}

extension KeyedDecodingContainer {
    func fieldUpdate(_ key: Key) throws -> FieldUpdate<String> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(String.self, forKey: key))
    }
}

/// A user as its owner and admins see it. Never the password hash.
struct UserResponse: Encodable {
    let account: Account

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", username, email, firstName = "first_name", lastName = "last_name"
        case phoneNumber = "phone_number", role, createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(account.id.apiString, forKey: .userID)
        try container.encode(account.username, forKey: .username)
        try container.encode(account.email, forKey: .email)
        try container.encode(account.firstName, forKey: .firstName)
        try container.encode(account.lastName, forKey: .lastName)
        try container.encode(account.phoneNumber, forKey: .phoneNumber)  // null, not omitted
        try container.encode(account.role.rawValue, forKey: .role)
        try container.encode(account.createdAt, forKey: .createdAt)
    }
}

/// What anyone signed in may see of another user, for picking conversation participants.
struct PublicUserResponse: Encodable {
    let account: Account

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", username, firstName = "first_name", lastName = "last_name"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(account.id.apiString, forKey: .userID)
        try container.encode(account.username, forKey: .username)
        try container.encode(account.firstName, forKey: .firstName)
        try container.encode(account.lastName, forKey: .lastName)
    }
}
