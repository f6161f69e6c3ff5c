import Web

/// A row of the TechEmpower `world` table, as `/db`, `/queries` and `/updates` return it.
///
/// Written member by member through the JSON writer, as the API's hot shapes are: `Encodable`'s
/// keyed container was a tenth of the route's cost (bench/README.md, "TechEmpower routes").
struct World: JSONObjectWritable {
    var id: Int32
    var randomNumber: Int32

    func writeJSONObject(to object: inout JSONObjectWriter) {
        object.member("id", Int(id))
        object.member("randomNumber", Int(randomNumber))
    }
}
