/// Thrown by a page that needs a signed-in user when there is none.
struct LoginRequired: Error {
    /// Where to come back to after logging in (a GET page of this site).
    var next: String?
}
