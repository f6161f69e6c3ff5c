import FoundationEssentials

/// The writes allowed while a token is locked.
protocol RefreshTokenUpdates {
    func markUsed(hash: String, at time: Date) throws
    func revokeFamily(_ familyID: UUID, at time: Date) throws
    func insert(_ token: RefreshTokenRecord) throws
}
