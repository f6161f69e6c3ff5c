import CUTF8Proc
import Glibc

extension StringProtocol {
    /// Unicode NFKC (compatibility decomposition, then canonical composition), what Foundation's
    /// `precomposedStringWithCompatibilityMapping` gave, through utf8proc: user names and passwords
    /// are compared and hashed in this form, so it must not change. NFKCTests checks every
    /// scalar against Foundation.
    var nfkcNormalized: String {
        var text = String(self)
        // ASCII is its own NFKC: most names and passwords skip the C call.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        return text.withUTF8 { bytes in
            var output: UnsafeMutablePointer<utf8proc_uint8_t>?
            let options = utf8proc_option_t(rawValue: UTF8PROC_STABLE.rawValue | UTF8PROC_COMPAT.rawValue | UTF8PROC_COMPOSE.rawValue)
            let count = utf8proc_map(bytes.baseAddress, utf8proc_ssize_t(bytes.count), &output, options)
            defer { free(output) }
            // utf8proc refuses only invalid UTF-8, which a Swift string never holds.
            guard count >= 0, let output else { return String(decoding: bytes, as: UTF8.self) }
            return String(decoding: UnsafeBufferPointer(start: output, count: count), as: UTF8.self)
        }
    }
}
