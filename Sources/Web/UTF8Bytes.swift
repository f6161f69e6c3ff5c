/// Byte-level helpers for the request path: `String.UTF8View` through generic `Sequence`
/// algorithms costs several times a loop over its contiguous storage.
extension Array where Element == UInt8 {
    /// Appends the string's UTF-8 bytes in one copy.
    @inlinable
    package mutating func appendUTF8(_ string: String) {
        let appended: Void? = string.utf8.withContiguousStorageIfAvailable { self.append(contentsOf: $0) }
        if appended == nil { self.append(contentsOf: string.utf8) }
    }
}

extension String {
    /// Calls `body` with the string's UTF-8 bytes (its own storage when it has one, else a copy).
    @inlinable
    package func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        return try Array(utf8).withUnsafeBufferPointer(body)
    }
}

/// A growable byte buffer in memory it manages itself: appending is a bounds check and a copy,
/// without `Array`'s uniqueness checks and generic `append(contentsOf:)` paths. For building a
/// response body or a log line, then taking it out as an array once.
package struct ByteBuffer {
    package private(set) var base: UnsafeMutablePointer<UInt8>
    package private(set) var count = 0
    private var capacity: Int

    package init(capacity: Int = 1024) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    /// Empties the buffer, keeping its memory.
    package mutating func removeAll() { count = 0 }

    package var capacityInBytes: Int { capacity }

    /// Frees the memory; the buffer must not be used afterwards.
    package func deallocate() { base.deallocate() }

    @inline(__always)
    package mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    package mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    package mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    package mutating func appendUTF8(_ string: String) {
        string.withUTF8Bytes { append($0) }
    }

    /// Writes up to `maximum` bytes in place; `body` returns how many it wrote.
    package mutating func write(maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(maximum)
        count += body(base + count)
    }

    package var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
