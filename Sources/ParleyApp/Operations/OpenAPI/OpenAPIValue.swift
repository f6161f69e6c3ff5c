import Web

/// A JSON value written by hand with Swift literals, for the OpenAPI document:
///
///     let schema: OpenAPIValue = ["type": "object", "required": ["detail"], "properties": [...]]
///
/// Objects are unordered; ``encoded()`` writes their keys sorted, so the same document is
/// always the same bytes.
indirect enum OpenAPIValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([OpenAPIValue])
    case object([String: OpenAPIValue])

    /// The members of an object (empty for anything else).
    var members: [String: OpenAPIValue] {
        if case .object(let members) = self { return members }
        return [:]
    }

    /// An object with `other`'s members added (`other` wins on a clash).
    func merging(_ other: OpenAPIValue) -> OpenAPIValue {
        .object(members.merging(other.members) { _, new in new })
    }

    /// Compact JSON, keys sorted, slashes unescaped.
    func encoded() throws -> [UInt8] {
        try JSON.encode(self)
    }
}

extension OpenAPIValue: Encodable {
    private struct MemberName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .int(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        case .object(let members):
            var container = encoder.container(keyedBy: MemberName.self)
            for (name, value) in members.sorted(by: { $0.key < $1.key }) { try container.encode(value, forKey: MemberName(stringValue: name)) }
        }
    }
}

extension OpenAPIValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    init(nilLiteral: ()) { self = .null }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(stringLiteral value: String) { self = .string(value) }
    init(arrayLiteral elements: OpenAPIValue...) { self = .array(elements) }

    init(dictionaryLiteral elements: (String, OpenAPIValue)...) {
        var members: [String: OpenAPIValue] = [:]
        for (name, value) in elements {
            precondition(members[name] == nil, "duplicate key \(name) in an OpenAPI object")
            members[name] = value
        }
        self = .object(members)
    }
}
