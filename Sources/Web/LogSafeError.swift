/// An error that can describe itself for a log line without the data it is about: no row
/// values, request bodies, passwords or tokens. The database layer's errors conform (in the
/// application, which sees both modules).
public protocol LogSafeError: Error {
    var logDescription: String { get }
}

/// How every logging site writes an error it did not expect: the error's own
/// ``LogSafeError/logDescription`` when it has one; otherwise only its type (and, for an enum
/// case with a payload, the case's name), since an unknown error's description or reflection may quote any value
/// (a wrapped database error's `debugDescription` carries the server's detail line).
public func logDescription(of error: any Error) -> String {
    if let safe = error as? any LogSafeError { return safe.logDescription }
    let type = String(reflecting: Swift.type(of: error))
    let mirror = Mirror(reflecting: error)
    if mirror.displayStyle == .enum, let label = mirror.children.first?.label { return "\(type).\(label)" }
    return type
}
