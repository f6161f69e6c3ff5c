#if canImport(Glibc)
import Glibc
#endif
import CFastCGI

/// `sd_notify` without libsystemd: datagrams to `$NOTIFY_SOCKET` (a path, or `@` for the
/// abstract namespace). Does nothing when not run by systemd with `Type=notify`.
struct SystemdNotifier {
    private let address: sockaddr_un?
    private let length: socklen_t
    /// Half of `WatchdogSec`, when systemd asks for keep-alives.
    let watchdogInterval: Duration?

    init(environment: [String: String]) {
        if let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.utf8.count < 108 {
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                buffer.copyBytes(from: path.utf8)
                if path.hasPrefix("@") { buffer[0] = 0 }
            }
            self.address = address
            self.length = socklen_t(MemoryLayout<sa_family_t>.size + path.utf8.count + (path.hasPrefix("@") ? 0 : 1))
        } else {
            self.address = nil
            self.length = 0
        }
        if let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 {
            watchdogInterval = .microseconds(microseconds / 2)
        } else {
            watchdogInterval = nil
        }
    }

    var isActive: Bool { address != nil }

    func notify(_ state: String) {
        guard var address else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = state.withCString { text in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, text, strlen(text), Int32(MSG_NOSIGNAL), $0, length) }
            }
        }
    }
}
