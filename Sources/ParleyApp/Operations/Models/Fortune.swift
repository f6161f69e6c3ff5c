import Mustache

/// A fortune; the template reads its fields through ``MustacheObject`` (no reflection).
struct Fortune: MustacheObject {
    var id: Int32
    var message: String

    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "id": .int(Int(id))
        case "message": .string(message)
        default: nil
        }
    }
}
