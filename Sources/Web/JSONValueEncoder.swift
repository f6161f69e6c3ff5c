/// The `Encoder` a value's `encode(to:)` receives; its value goes at `depth` (the number of
/// containers open around it).
struct JSONValueEncoder: Encoder {
    let output: JSONOutput
    let depth: Int

    var codingPath: [any CodingKey] { output.codingPath(depth: depth) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        output.pendingValue = nil  // this is the value superEncoder() waits for
        // Asked twice (a class and its superclass both encoding into the same object): the same container.
        if output.frames.count > depth, output.frames[depth].isObject {
            output.close(downTo: depth + 1)
        } else {
            output.close(downTo: depth)
            output.open(object: true)
        }
        return KeyedEncodingContainer(JSONKeyedContainer<Key>(output: output, depth: depth + 1))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        output.pendingValue = nil
        if output.frames.count > depth, !output.frames[depth].isObject {
            output.close(downTo: depth + 1)
        } else {
            output.close(downTo: depth)
            output.open(object: false)
        }
        return JSONUnkeyedContainer(output: output, depth: depth + 1)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        output.pendingValue = nil
        return JSONSingleValueContainer(output: output, depth: depth)
    }
}
