import Foundation

/// The CPUs a task may run on, from a `/proc/.../status` file's `Cpus_allowed_list` (such as
/// `0-3,6`); nil when the file or the line cannot be read.
func allowedCPUs(statusFile path: String) -> Set<Int>? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
    else { return nil }
    var cpus = Set<Int>()
    for range in line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces).split(separator: ",") {
        let bounds = range.split(separator: "-").compactMap { Int($0) }
        if let first = bounds.first, let last = bounds.last, first <= last { cpus.formUnion(first...last) }
    }
    return cpus
}
