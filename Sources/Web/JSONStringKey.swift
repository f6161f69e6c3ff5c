/// An object key in a coding path (``JSONOutput/codingPath(depth:)``).
struct JSONStringKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
