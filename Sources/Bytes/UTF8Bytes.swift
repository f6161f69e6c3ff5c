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
