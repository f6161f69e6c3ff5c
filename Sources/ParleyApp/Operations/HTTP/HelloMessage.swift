import Web

/// The body of `/json`, a new object per request through the JSON writer (as `World`).
struct HelloMessage: JSONObjectWritable {
    let message: String

    func writeJSONObject(to object: inout JSONObjectWriter) {
        object.member("message", message)
    }
}
