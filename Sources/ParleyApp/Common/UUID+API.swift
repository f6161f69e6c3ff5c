import Foundation

extension UUID {
    /// The lowercase text form the API uses (as Django does); Foundation's `uuidString` is uppercase.
    var apiString: String { uuidString.lowercased() }
}
