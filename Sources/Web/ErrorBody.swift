/// The JSON body of an error response: `{"detail": "…"}`, or for a validation error
/// `{"field": ["…"], …}` with the fields in name order, so the same error is always the same bytes.
struct ErrorBody: Encodable {
    let error: any HTTPResponseError

    init(_ error: any HTTPResponseError) {
        self.error = error
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONStringKey.self)
        if let fields = error.fieldErrors {
            for (field, messages) in fields.sorted(by: { $0.key < $1.key }) {
                try container.encode(messages, forKey: JSONStringKey(stringValue: field))
            }
        } else {
            try container.encode(error.publicMessage, forKey: JSONStringKey(stringValue: "detail"))
        }
    }

    /// Written by ``JSONWriter``, which fails only on a number JSON cannot hold (NaN, infinity);
    /// this body holds strings alone, so the fallback never runs.
    var json: [UInt8] {
        (try? JSONWriter.encode(self)) ?? Array(#"{"detail":"A server error occurred."}"#.utf8)
    }
}
