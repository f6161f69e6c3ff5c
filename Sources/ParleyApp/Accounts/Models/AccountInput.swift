/// A field of a partial update as the client sent it: absent, explicitly null, or a value.
enum FieldUpdate<Value: Sendable & Equatable>: Sendable, Equatable {
    case absent
    case null
    case value(Value)

    var isPresent: Bool { self != .absent }
}

/// What registration needs, as received (nil = missing or null); the service validates it.
struct RegistrationInput: Sendable, Equatable {
    var username: String?
    var email: String?
    var password: String?
    var firstName: String?
    var lastName: String?
    var phoneNumber: String?
    var role: Role = .guest
}

/// A profile edit as received.
struct ProfileUpdateInput: Sendable, Equatable {
    var username: FieldUpdate<String> = .absent
    var email: FieldUpdate<String> = .absent
    var firstName: FieldUpdate<String> = .absent
    var lastName: FieldUpdate<String> = .absent
    var phoneNumber: FieldUpdate<String> = .absent
    /// Set when the client tried to change the password here (refused: it has its own flow).
    var triedPassword = false
}
