#if canImport(Glibc)
import Glibc
#endif
/// HTTP header fields in arrival order. Names compare case-insensitively; repeated fields are kept.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    private var fields: [Field] = []

    public init() {}

    /// Room for a few more than the literal's: every response the application answers gets
    /// `X-Request-Id` and `X-Content-Type-Options` added, and two appends to a full array were two
    /// reallocations per request (bench/README.md, "Figures behind the code").
    public init(dictionaryLiteral elements: (String, String)...) {
        fields.reserveCapacity(elements.count + 3)
        for (name, value) in elements { add(name: name, value: value) }
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        get { fields.first { $0.name.caseInsensitiveEquals(name) }?.value }
        set {
            remove(name: name)
            if let newValue { add(name: name, value: newValue) }
        }
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { $0.name.caseInsensitiveEquals(name) }
    }

    /// Appends a field; header injection is refused by dropping CR and LF from name and value.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name.strippingLineBreaks(), value: value.strippingLineBreaks()))
    }

    /// Appends a field the caller has checked holds no CR or LF (the FastCGI adapter checks
    /// the bytes it reads before making strings of them).
    package mutating func appendChecked(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Sets every field of `preset`, each replacing the fields of its name. The preset's fields
    /// were stripped of line breaks when it was built, so constant header sets (a page's security
    /// headers) are not scanned again on every response.
    public mutating func set(_ preset: HTTPHeaders) {
        fields.reserveCapacity(fields.count + preset.fields.count)
        for field in preset.fields {
            remove(name: field.name)
            fields.append(field)
        }
    }

    package mutating func reserveCapacity(_ capacity: Int) {
        fields.reserveCapacity(capacity)
    }

    public mutating func remove(name: String) {
        // Checked first: removeAll(where:) rebuilds the array even when nothing matches, and
        // most removals (a header set that was not there yet) match nothing.
        guard contains(name) else { return }
        fields.removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    public var count: Int { fields.count }

    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}

extension String {
    package func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return withUTF8Bytes { a in
            other.withUTF8Bytes { b in
                for index in 0..<a.count where a[index] != b[index] {
                    let la = (a[index] >= 65 && a[index] <= 90) ? a[index] + 32 : a[index]
                    let lb = (b[index] >= 65 && b[index] <= 90) ? b[index] + 32 : b[index]
                    if la != lb { return false }
                }
                return true
            }
        }
    }

    func strippingLineBreaks() -> String {
        // memchr: header values are mostly constants (the CSP is 130 bytes) scanned per response.
        let clean = withUTF8Bytes { bytes in
            guard let base = bytes.baseAddress else { return true }
            return memchr(base, 10, bytes.count) == nil && memchr(base, 13, bytes.count) == nil
        }
        guard !clean else { return self }
        return String(decoding: utf8.filter { $0 != 10 && $0 != 13 }, as: UTF8.self)
    }
}
