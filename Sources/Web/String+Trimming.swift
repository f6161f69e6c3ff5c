/// Foundation's `trimmingCharacters(in: .whitespaces)` and `(in: .whitespacesAndNewlines)`,
/// scalar by scalar, without Foundation (whose CharacterSet, and detour through NSString and
/// UTF-16, FoundationEssentials does not have). StringTrimmingTests compares them with Foundation.
extension StringProtocol {
    /// Without the white space around it: general category Zs, U+0009, and U+200B, which
    /// Foundation's table still counts.
    public func trimmingWhitespace() -> String {
        trimming(where: Self.isWhitespace)
    }

    /// Without the white space and line breaks around it: general categories Zs, Zl and Zp,
    /// U+0009…U+000D, U+0085, and U+200B, which Foundation's table still counts.
    public func trimmingWhitespaceAndNewlines() -> String {
        trimming(where: Self.isWhitespaceOrNewline)
    }

    private func trimming(where isSpace: (Unicode.Scalar) -> Bool) -> String {
        let text = String(self)
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21..<0x7F: false
        case 0x09, 0x20, 0x200B: true
        default: scalar.properties.generalCategory == .spaceSeparator
        }
    }

    private static func isWhitespaceOrNewline(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21..<0x7F: false
        case 0x09...0x0D, 0x20, 0x85, 0x200B: true
        default:
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: true
            default: false
            }
        }
    }
}
