#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The UTC offsets of one IANA time zone (`Europe/Paris`), read from the system's tz database
/// (TZif files under `$TZDIR` or /usr/share/zoneinfo): what Foundation's `TimeZone(identifier:)`
/// answered through ICU, which FoundationEssentials does not link. Past the file's last transition
/// the zone's POSIX rule (RFC 8536's footer, `CET-1CEST,M3.5.0,M10.5.0/3`) gives the offset.
public struct ZoneRules: Sendable, Equatable {
    public let identifier: String
    /// Transition instants (seconds since 1970), ascending, and the offset from each on.
    private let transitions: [Int64]
    private let offsets: [Int32]
    /// The offset before the first transition.
    private let initialOffset: Int32
    private let rule: PosixZoneRule?

    /// UTC, without reading a file.
    public static let utc = ZoneRules(identifier: "UTC", transitions: [], offsets: [], initialOffset: 0, rule: nil)

    private init(identifier: String, transitions: [Int64], offsets: [Int32], initialOffset: Int32, rule: PosixZoneRule?) {
        self.identifier = identifier
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
        self.rule = rule
    }

    /// The zone named `identifier`; nil when the tz database has no such zone.
    public init?(identifier: String) {
        guard !identifier.isEmpty, !identifier.hasPrefix("/"), !identifier.split(separator: "/").contains(".."),
              let bytes = Self.read(Self.directory + "/" + identifier),
              let parsed = TZif(bytes)
        else { return nil }
        self.init(
            identifier: identifier, transitions: parsed.transitions, offsets: parsed.offsets,
            initialOffset: parsed.initialOffset, rule: parsed.footer.flatMap(PosixZoneRule.init))
    }

    /// Seconds east of UTC at `secondsSince1970`.
    public func secondsFromGMT(at secondsSince1970: Int64) -> Int {
        guard let last = transitions.last else { return Int(rule?.offset(at: secondsSince1970) ?? initialOffset) }
        if secondsSince1970 >= last, let rule { return Int(rule.offset(at: secondsSince1970)) }
        guard secondsSince1970 >= transitions[0] else { return Int(initialOffset) }
        // The last transition at or before the instant.
        var low = 0
        var high = transitions.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if transitions[middle] <= secondsSince1970 { low = middle } else { high = middle - 1 }
        }
        return Int(offsets[low])
    }

    private static var directory: String {
        if let configured = getenv("TZDIR"), configured.pointee != 0 { return String(cString: configured) }
        return "/usr/share/zoneinfo"
    }

    private static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            guard count > 0 else { break }
            bytes.append(contentsOf: buffer[0..<count])
            guard bytes.count <= 1 << 20 else { return nil }
        }
        return ferror(file) == 0 ? bytes : nil
    }
}

/// A TZif file's transitions and footer (RFC 8536), from its 64-bit block when it has one.
private struct TZif {
    var transitions: [Int64] = []
    var offsets: [Int32] = []
    var initialOffset: Int32 = 0
    var footer: String?

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 44, bytes[0..<4].elementsEqual("TZif".utf8) else { return nil }
        func count(_ at: Int, _ field: Int) -> Int { Int(Self.integer(bytes, at + 20 + 4 * field, size: 4)) }
        let isVersion2 = bytes[4] >= UInt8(ascii: "2")
        var header = 0
        var timeSize = 4
        if isVersion2 {
            // Skip the 32-bit block to the 64-bit one.
            let skipped = count(0, 3) * 5 + count(0, 4) * 6 + count(0, 5) + count(0, 2) * 8 + count(0, 1) + count(0, 0)
            header = 44 + skipped
            timeSize = 8
            guard bytes.count >= header + 44, bytes[header..<header + 4].elementsEqual("TZif".utf8) else { return nil }
        }
        let (leaps, times, types, characters) = (count(header, 2), count(header, 3), count(header, 4), count(header, 5))
        let (standardFlags, utcFlags) = (count(header, 1), count(header, 0))
        guard types > 0 else { return nil }
        let timesAt = header + 44
        let indicesAt = timesAt + times * timeSize
        let typesAt = indicesAt + times
        let end = typesAt + types * 6 + characters + leaps * (timeSize + 4) + standardFlags + utcFlags
        guard bytes.count >= end else { return nil }
        let typeOffsets = (0..<types).map { Int32(truncatingIfNeeded: Self.integer(bytes, typesAt + $0 * 6, size: 4)) }
        for index in 0..<times {
            let type = Int(bytes[indicesAt + index])
            guard type < types else { return nil }
            transitions.append(Self.integer(bytes, timesAt + index * timeSize, size: timeSize))
            offsets.append(typeOffsets[type])
        }
        initialOffset = typeOffsets[0]
        if isVersion2, end < bytes.count, bytes[end] == UInt8(ascii: "\n"),
           let close = bytes[(end + 1)...].firstIndex(of: UInt8(ascii: "\n")), close > end + 1 {
            footer = String(decoding: bytes[(end + 1)..<close], as: UTF8.self)
        }
    }

    /// The big-endian two's-complement integer of `size` bytes at `offset`.
    static func integer(_ bytes: [UInt8], _ offset: Int, size: Int) -> Int64 {
        var value: UInt64 = 0
        for byte in bytes[offset..<offset + size] { value = value << 8 | UInt64(byte) }
        let shift = UInt64(64 - 8 * size)
        return Int64(bitPattern: value << shift) >> Int64(shift)
    }
}
