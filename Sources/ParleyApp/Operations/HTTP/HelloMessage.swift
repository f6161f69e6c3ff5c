/// The body of `/json`.
struct HelloMessage: Encodable {
    let message: String
}
