import FoundationEssentials

/// A user's role. Guests and hosts use the messaging; admins also manage users.
public enum Role: String, Codable, Sendable, CaseIterable {
    case guest
    case host
    case admin
}

/// Who is making the request, once authentication has succeeded.
public struct AuthenticatedUser: Sendable, Equatable {
    public var id: UUID
    public var username: String
    public var role: Role

    public init(id: UUID, username: String, role: Role) {
        self.id = id
        self.username = username
        self.role = role
    }

    public var isAdmin: Bool { role == .admin }
}
