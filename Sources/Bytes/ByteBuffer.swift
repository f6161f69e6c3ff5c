/// A growable byte buffer in memory it manages itself: appending is a bounds check and a copy,
/// without `Array`'s uniqueness checks and generic `append(contentsOf:)` paths. For building a
/// response body, a response head or a log line, then taking it out once.
///
/// The appends are `@inlinable`, so that they inline into callers in other modules of the
/// package (the FastCGI adapter writes every response head with them) as they do here. The type
/// is `public`, with no public member, because the compiler inlines a `package` method across
/// modules only when its type is public.
public struct ByteBuffer {
    @usableFromInline package internal(set) var base: UnsafeMutablePointer<UInt8>
    @usableFromInline package internal(set) var count = 0
    @usableFromInline var capacity: Int

    @inlinable
    package init(capacity: Int = 1024) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    /// Empties the buffer, keeping its memory.
    @inlinable
    package mutating func removeAll() { count = 0 }

    package var capacityInBytes: Int { capacity }

    /// Frees the memory; the buffer must not be used afterwards.
    @inlinable
    package func deallocate() { base.deallocate() }

    @inlinable @inline(__always)
    package mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    @usableFromInline
    mutating func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inlinable @inline(__always)
    package mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inlinable @inline(__always)
    package mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    @inlinable @inline(__always)
    package mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    @inlinable @inline(__always)
    package mutating func appendUTF8(_ string: String) {
        string.withUTF8Bytes { append($0) }
    }

    @inlinable @inline(__always)
    package mutating func appendLiteral(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    /// A positive number's decimal digits.
    @inlinable
    package mutating func appendDecimal(_ value: Int) {
        var length = 0
        var rest = value
        while rest > 0 {
            rest /= 10
            length += 1
        }
        reserve(length)
        rest = value
        for position in stride(from: count + length - 1, through: count, by: -1) {
            base[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        count += length
    }

    /// Writes up to `maximum` bytes in place; `body` returns how many it wrote.
    @inlinable
    package mutating func write(maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(maximum)
        count += body(base + count)
    }

    /// The bytes written so far, valid until the next append or `deallocate()`.
    @inlinable
    package var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    package var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
