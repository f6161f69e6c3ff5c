import FoundationEssentials

// EmbedResourcesTool ROOT OUTPUT RELATIVE-PATH…: writes OUTPUT, a Swift file that declares
// `EmbeddedResources.files`, each file under ROOT as (relative path, contents) in one string
// literal. The EmbedResources plugin runs it at build time; the files must be UTF-8.

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    fatalError("usage: EmbedResourcesTool ROOT OUTPUT RELATIVE-PATH…")
}
let root = arguments[1]
var source = """
    // Generated at build time by the EmbedResources plugin from the target's resource directories.

    enum EmbeddedResources {
        static let files: [(path: String, contents: String)] = [

    """
for path in arguments.dropFirst(3) {
    guard let data = FileManager.default.contents(atPath: root + "/" + path) else {
        fatalError("EmbedResourcesTool: cannot read \(root)/\(path)")
    }
    guard let text = String(validating: data, as: UTF8.self) else {
        fatalError("EmbedResourcesTool: \(root)/\(path) is not UTF-8")
    }
    source += "        (\(literal(path)), \(literal(text))),\n"
}
source += "    ]\n}\n"
do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: arguments[2]), options: .atomic)
} catch {
    fatalError("EmbedResourcesTool: cannot write \(arguments[2]): \(error)")
}

/// `text` as a one-line Swift string literal: the scalars as they are, except the backslash, the
/// quote and control characters, which are escaped (a single line keeps the compiler fast on the
/// large password list).
func literal(_ text: String) -> String {
    var out = "\""
    out.reserveCapacity(text.utf8.count + 2)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            out += "\\u{" + String(scalar.value, radix: 16) + "}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
