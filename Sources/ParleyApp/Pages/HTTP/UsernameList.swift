/// The usernames typed into a form field, as the new-conversation form and the members panel
/// read them: separated by commas, semicolons or spaces, each with an optional leading `@`.
enum UsernameList {
    static func parse(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == ";" || $0.isWhitespace })
            .map { $0.hasPrefix("@") ? String($0.dropFirst()) : String($0) }
            .filter { !$0.isEmpty }
    }
}
