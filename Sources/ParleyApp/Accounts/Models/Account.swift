import FoundationEssentials

/// A user account as the application sees it; never its password hash.
public struct Account: Sendable, Equatable {
    public var id: UUID
    public var username: String
    public var email: String
    public var firstName: String
    public var lastName: String
    public var phoneNumber: String?
    public var role: Role
    public var createdAt: Date

    public init(
        id: UUID, username: String, email: String, firstName: String, lastName: String,
        phoneNumber: String?, role: Role, createdAt: Date
    ) {
        self.id = id
        self.username = username
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.phoneNumber = phoneNumber
        self.role = role
        self.createdAt = createdAt
    }
}

/// What registration stores: validated, normalised values and the hash.
public struct NewAccount: Sendable, Equatable {
    public var username: String
    public var email: String
    public var firstName: String
    public var lastName: String
    public var phoneNumber: String?
    public var passwordHash: String
    public var role: Role
}

/// A profile edit: nil leaves a field as it is; `phoneNumber: .some(nil)` clears the number.
public struct AccountChanges: Sendable, Equatable {
    public var username: String?
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var phoneNumber: String??

    public init(username: String? = nil, email: String? = nil, firstName: String? = nil, lastName: String? = nil, phoneNumber: String?? = nil) {
        self.username = username
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.phoneNumber = phoneNumber
    }

    public var isEmpty: Bool {
        username == nil && email == nil && firstName == nil && lastName == nil && phoneNumber == nil
    }
}

/// An account and its stored hash: what a log-in checks.
public struct AccountCredentials: Sendable, Equatable {
    public var account: Account
    public var passwordHash: String
}
