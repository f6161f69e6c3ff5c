/// A value as a template sees it.
///
/// Types that render often conform to ``MustacheObject`` and answer lookups with a `switch`:
/// no reflection and no dynamic casts on the hot path. Anything else is taken through
/// ``init(reflecting:)``, which reads stored properties with `Mirror` the first time a template
/// asks for one.
public enum MustacheValue {
    /// Absent or `nil`: renders nothing, skips a section, shows an inverted one.
    case null
    /// `false` skips a section (and shows an inverted one); `true` shows it without pushing a context.
    case bool(Bool)
    case int(Int)
    /// Text, HTML-escaped by `{{name}}`. A section over a string pushes it (even an empty one).
    case string(String)
    /// A section renders once per element, with the element on top of the context stack.
    case list([MustacheValue])
    /// Named children, looked up by `{{name}}` and `{{parent.child}}`; made with
    /// ``object(_:)``.
    case object(ObjectReference)

    /// A value with named children.
    @inlinable
    public static func object(_ object: some MustacheObject) -> MustacheValue { .object(ObjectReference(object)) }

    /// An object, held by a class: a lookup asks it in place. As an `indirect` case it was
    /// copied out of its box, a call through its value witnesses and a retain of each of its
    /// fields, on every lookup (bench/README.md, "The template renderer's lookups").
    public final class ObjectReference {
        public let object: any MustacheObject

        @inlinable
        init(_ object: some MustacheObject) { self.object = object }
    }

    /// The child named `name`, or nil when this value has none (the lookup then climbs the stack).
    @inlinable
    func child(named name: MustacheKey) -> MustacheValue? {
        if case .object(let reference) = self { return reference.object.mustacheValue(for: name) }
        return nil
    }
}

/// A value with named children for templates.
///
/// ```swift
/// extension Fortune: MustacheObject {
///     func mustacheValue(for key: MustacheKey) -> MustacheValue? {
///         switch key {
///         case "id": .int(Int(id))
///         case "message": .string(message)
///         default: nil
///         }
///     }
/// }
/// ```
public protocol MustacheObject {
    /// The child named `key`; nil when there is none, so that the lookup goes on down the
    /// context stack (Mustache's rule for `{{name}}`).
    func mustacheValue(for key: MustacheKey) -> MustacheValue?

    /// What `{{name}}` prints when the name resolves to this object; nil prints nothing.
    var mustacheText: String? { get }
}

extension MustacheObject {
    public var mustacheText: String? { nil }
}

extension Dictionary: MustacheObject where Key == String, Value == MustacheValue {
    public func mustacheValue(for key: MustacheKey) -> MustacheValue? { self[key.name] }
}

extension MustacheValue {
    /// Any Swift value: strings, integers, floating point numbers and Booleans as themselves,
    /// optionals unwrapped (`nil` is ``null``), arrays and sets as lists, `[String: Any]` and
    /// structs or classes as objects (stored properties by name, read through `Mirror` when
    /// first asked for), anything else as its `description`.
    public init(reflecting value: Any) {
        switch value {
        case let value as MustacheValue: self = value
        case let object as any MustacheObject: self = .object(object)
        case let string as String: self = .string(string)
        case let bool as Bool: self = .bool(bool)
        case let int as Int: self = .int(int)
        case let substring as Substring: self = .string(String(substring))
        case let integer as any BinaryInteger: self = .string(String(describing: integer))
        case let number as any FloatingPoint: self = .string(String(describing: number))
        case let list as any ReflectedList: self = .list(list.mustacheValues)
        case let dictionary as any ReflectedDictionary: self = .object(dictionary.mustacheObject)
        default:
            let mirror = Mirror(reflecting: value)
            switch mirror.displayStyle {
            case .optional:
                if let wrapped = mirror.children.first { self.init(reflecting: wrapped.value) } else { self = .null }
            case .struct, .class, .tuple:
                self = .object(ReflectedObject(value, mirror: mirror))
            default:
                self = .string(String(describing: value))
            }
        }
    }
}

/// A struct or class read through `Mirror`: its labelled children, found by a linear scan
/// (view models have a handful of properties). `nil` properties count as absent, as in
/// swift-mustache, so that a lookup climbs past them.
final class ReflectedObject: MustacheObject {
    private let subject: Any
    private let children: Mirror.Children

    init(_ subject: Any, mirror: Mirror) {
        self.subject = subject
        self.children = mirror.children
    }

    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        guard let child = children.first(where: { $0.label == key.name }) else { return nil }
        let value = MustacheValue(reflecting: child.value)
        if case .null = value { return nil }
        return value
    }

    var mustacheText: String? { String(describing: subject) }
}

/// Arrays, sets and reversed collections are lists for ``MustacheValue/init(reflecting:)``.
protocol ReflectedList {
    var mustacheValues: [MustacheValue] { get }
}

extension Array: ReflectedList {
    var mustacheValues: [MustacheValue] { map { MustacheValue(reflecting: $0) } }
}

extension Set: ReflectedList {
    var mustacheValues: [MustacheValue] { map { MustacheValue(reflecting: $0) } }
}

extension ReversedCollection: ReflectedList {
    var mustacheValues: [MustacheValue] { map { MustacheValue(reflecting: $0) } }
}

/// `[String: Any]`-like dictionaries are objects for ``MustacheValue/init(reflecting:)``.
protocol ReflectedDictionary {
    var mustacheObject: any MustacheObject { get }
}

extension Dictionary: ReflectedDictionary where Key == String {
    var mustacheObject: any MustacheObject { ReflectedDictionaryObject(entries: self) }
}

struct ReflectedDictionaryObject<Value>: MustacheObject {
    let entries: [String: Value]

    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        guard let entry = entries[key.name] else { return nil }
        let value = MustacheValue(reflecting: entry)
        if case .null = value { return nil }
        return value
    }
}
