#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The numbers that `String(format:)` wrote (`%02d`, `%04o`, `%.3f`), without Foundation: the
/// digits of times and durations that Web, Postgres and the app print.
extension String {
    /// `value` in `radix`, zero-padded to at least `width` characters, the sign included: what
    /// `%0<width>d` (or `o` for radix 8) wrote.
    public init<T: BinaryInteger>(_ value: T, zeroPaddedTo width: Int, radix: Int = 10) {
        let digits = String(value.magnitude, radix: radix)
        let sign = value < 0 ? "-" : ""
        self = sign + String(repeating: "0", count: Swift.max(0, width - sign.count - digits.count)) + digits
    }

    /// `value` with `digits` digits after the point (0…20), rounded as C's `printf("%.*f")` rounds
    /// the exact binary value: what `%.<digits>f` wrote.
    public init(_ value: Double, fractionDigits digits: Int) {
        precondition((0...20).contains(digits), "fractionDigits must be 0…20")
        // The longest: a sign, 309 integer digits, the point and 20 digits.
        var buffer = [CChar](repeating: 0, count: 336)
        let count = withVaList([Int32(digits), value]) { arguments in
            vsnprintf(&buffer, buffer.count, "%.*f", arguments)
        }
        self = String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
