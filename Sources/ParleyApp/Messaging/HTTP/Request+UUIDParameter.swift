import FoundationEssentials
import Web

extension Request {
    /// The `:name` path parameter as a UUID; anything else is a 404 (a malformed id names
    /// nothing), never a 500.
    func uuidParameter(_ name: String = "id") throws(HTTPError) -> UUID {
        guard let text = parameters[name], let id = UUID(apiString: text) else { throw HTTPError(.notFound) }
        return id
    }
}
