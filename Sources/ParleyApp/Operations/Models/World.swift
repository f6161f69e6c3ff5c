/// A row of the TechEmpower `world` table, as `/db`, `/queries` and `/updates` return it.
struct World: Encodable {
    var id: Int32
    var randomNumber: Int32
}
