#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The commands' standard input and error through read(2) and write(2), unbuffered, as
/// Foundation's `FileHandle` wrote them (FoundationEssentials has no FileHandle).
enum StandardStreams {
    /// Writes all of `text` to standard error; a closed stream drops it.
    static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var written = 0
            while written < bytes.count {
                let n = write(STDERR_FILENO, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                written += n
            }
        }
    }

    /// Standard input up to its end (or to the first read error).
    static func readInput() -> [UInt8] {
        var input: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return input }
            input.append(contentsOf: buffer[0..<n])
        }
    }
}
