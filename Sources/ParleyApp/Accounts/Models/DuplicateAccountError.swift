import FoundationEssentials

/// A username or email that another account already has (a unique index said so).
public struct DuplicateAccountError: Error, Equatable {
    public enum Field: String, Sendable { case username, email }
    public let field: Field
}
