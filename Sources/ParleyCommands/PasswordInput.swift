import FoundationEssentials

/// A password piped to a command (`createuser --password-stdin`, `set-password`).
enum PasswordInput {
    /// Standard input to its end, less one line ending (the pipe's, not the password's;
    /// "\r\n" is one Character in Swift); nil when nothing is left.
    static func standardInput() -> String? {
        var text = String(decoding: StandardStreams.readInput(), as: UTF8.self)
        if text.hasSuffix("\r\n") || text.hasSuffix("\n") { text.removeLast() }
        return text.isEmpty ? nil : text
    }
}
