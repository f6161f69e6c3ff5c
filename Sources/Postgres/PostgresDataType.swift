/// A PostgreSQL type, identified by its OID (`pg_type.oid`).
///
/// Only the built-in types have stable OIDs; user-defined types (enums, domains, extensions such
/// as citext) get one at creation and are shown as `oid N`.
public struct PostgresDataType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The OIDs of int8 and int4 as literals, for inlinable fast paths in other modules (the
    /// static properties below are globals initialized on first use).
    @inlinable static var int8OID: UInt32 { 20 }
    @inlinable static var int4OID: UInt32 { 23 }

    public static let bool = Self(16)
    public static let bytea = Self(17)
    public static let char = Self(18)
    public static let name = Self(19)
    public static let int8 = Self(20)
    public static let int2 = Self(21)
    public static let int4 = Self(23)
    public static let text = Self(25)
    public static let oid = Self(26)
    public static let json = Self(114)
    public static let xml = Self(142)
    public static let float4 = Self(700)
    public static let float8 = Self(701)
    public static let unknown = Self(705)
    public static let bpchar = Self(1042)
    public static let varchar = Self(1043)
    public static let date = Self(1082)
    public static let time = Self(1083)
    public static let timestamp = Self(1114)
    public static let timestamptz = Self(1184)
    public static let interval = Self(1186)
    public static let numeric = Self(1700)
    public static let void = Self(2278)
    public static let uuid = Self(2950)
    public static let jsonb = Self(3802)

    public static let boolArray = Self(1000)
    public static let byteaArray = Self(1001)
    public static let nameArray = Self(1003)
    public static let int2Array = Self(1005)
    public static let int4Array = Self(1007)
    public static let textArray = Self(1009)
    public static let bpcharArray = Self(1014)
    public static let varcharArray = Self(1015)
    public static let int8Array = Self(1016)
    public static let float4Array = Self(1021)
    public static let float8Array = Self(1022)
    public static let timestampArray = Self(1115)
    public static let dateArray = Self(1182)
    public static let timestamptzArray = Self(1185)
    public static let numericArray = Self(1231)
    public static let uuidArray = Self(2951)
    public static let jsonArray = Self(199)
    public static let jsonbArray = Self(3807)

    /// The first OID PostgreSQL hands out to user-defined objects (`FirstNormalObjectId`).
    static let firstUserDefined: UInt32 = 16384

    /// The type name as `pg_type.typname` spells it, or `oid N` for types this module does not know.
    public var description: String {
        Self.names[self.rawValue] ?? "oid \(self.rawValue)"
    }

    /// Element type of a built-in array type, if this is one.
    @usableFromInline var arrayElementType: PostgresDataType? {
        Self.arrayElements[self.rawValue].map(PostgresDataType.init(rawValue:))
    }

    /// Whether a value of this type is sent as plain UTF-8 text in binary format
    /// (text-like built-ins, and enums or citext which are user-defined).
    var isTextLike: Bool {
        switch self {
        case .text, .varchar, .bpchar, .name, .unknown, .char, .json, .xml:
            return true
        default:
            return self.rawValue >= Self.firstUserDefined
        }
    }

    private static let names: [UInt32: String] = [
        16: "bool", 17: "bytea", 18: "char", 19: "name", 20: "int8", 21: "int2", 23: "int4",
        25: "text", 26: "oid", 114: "json", 142: "xml", 700: "float4", 701: "float8",
        705: "unknown", 1042: "bpchar", 1043: "varchar", 1082: "date", 1083: "time",
        1114: "timestamp", 1184: "timestamptz", 1186: "interval", 1700: "numeric",
        2278: "void", 2950: "uuid", 3802: "jsonb",
        1000: "bool[]", 1001: "bytea[]", 1003: "name[]", 1005: "int2[]", 1007: "int4[]",
        1009: "text[]", 1014: "bpchar[]", 1015: "varchar[]", 1016: "int8[]", 1021: "float4[]",
        1022: "float8[]", 1115: "timestamp[]", 1182: "date[]", 1185: "timestamptz[]",
        1231: "numeric[]", 2951: "uuid[]", 199: "json[]", 3807: "jsonb[]",
    ]

    private static let arrayElements: [UInt32: UInt32] = [
        1000: 16, 1001: 17, 1003: 19, 1005: 21, 1007: 23, 1009: 25, 1014: 1042, 1015: 1043,
        1016: 20, 1021: 700, 1022: 701, 1115: 1114, 1182: 1082, 1185: 1184, 1231: 1700,
        2951: 2950, 199: 114, 3807: 3802,
    ]
}
