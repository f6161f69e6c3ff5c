#if canImport(Glibc)
import Glibc
#endif

/// Resident memory of a process, from `/proc/PID/statm` (pages × page size), and its
/// proportional share (`Pss` in `/proc/PID/smaps_rollup`): RSS counts the executable's and the
/// libraries' pages in every process that maps them, so a sum of RSS overstates what a master
/// and its workers take together; the sum of PSS does not.
enum ProcessMemory {
    static func proportionalBytes(pid: pid_t) -> UInt64? {
        let fd = open("/proc/\(pid)/smaps_rollup", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        for line in String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n") where line.hasPrefix("Pss:") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let kilobytes = UInt64(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }

    static func residentBytes(pid: pid_t) -> UInt64? {
        let fd = open("/proc/\(pid)/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        let fields = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = UInt64(fields[1]) else { return nil }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
