/// A name a template looks up, as ``MustacheObject/mustacheValue(for:)`` receives it.
///
/// Objects answer with a `switch` over string literals (`case "title":`). Matched against a
/// `String`, every case that was not the name ran Unicode-aware comparison; matched against a
/// key, a case of another length costs one comparison, and bytes are compared only when the
/// lengths agree (bench/README.md, "The template renderer's lookups").
public struct MustacheKey: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    @usableFromInline let count: Int
    /// The name's first 16 bytes, zero-padded: most names fit, and a case of the same length
    /// is compared with these without reaching into `name`.
    @usableFromInline let head: (UInt64, UInt64)

    public init(_ name: String) {
        self.name = name
        count = name.utf8.count
        var bytes = name
        head = bytes.withUTF8 { bytes in bytes.baseAddress.map { Self.head($0, count: bytes.count) } ?? (0, 0) }
    }

    /// Up to the first 16 bytes of `bytes`, little-endian, zero-padded. Inlined into a `case`,
    /// the literal's words are constants.
    @inlinable
    static func head(_ bytes: UnsafePointer<UInt8>, count: Int) -> (UInt64, UInt64) {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var index = 0
        while index < min(count, 8) {
            low |= UInt64(bytes[index]) &<< (8 &* UInt64(index))
            index &+= 1
        }
        while index < min(count, 16) {
            high |= UInt64(bytes[index]) &<< (8 &* UInt64(index &- 8))
            index &+= 1
        }
        return (low, high)
    }

    public var description: String { name }

    public static func == (left: MustacheKey, right: MustacheKey) -> Bool { left.name == right.name }

    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// `case "name":` in a `switch` over a key.
    @inlinable
    public static func ~= (pattern: StaticString, key: MustacheKey) -> Bool {
        let count = pattern.utf8CodeUnitCount
        guard count == key.count, head(pattern.utf8Start, count: count) == key.head else { return false }
        guard count > 16 else { return true }
        return key.name.utf8.dropFirst(16).elementsEqual(UnsafeBufferPointer(start: pattern.utf8Start + 16, count: count - 16))
    }
}
