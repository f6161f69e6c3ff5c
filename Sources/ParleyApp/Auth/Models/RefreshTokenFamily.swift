import FoundationEssentials

/// One API log-in (a refresh-token family) as the account page lists it.
struct RefreshTokenFamily: Sendable, Equatable {
    var familyID: UUID
    var startedAt: Date
    /// When its live token was issued: the log-in, or the latest refresh.
    var lastUsedAt: Date
}
