import FoundationEssentials
import Web

/// A message with `replies`: the same nodes, recursively (an empty array on leaves).
struct MessageThreadJSON: JSONObjectWritable {
    var thread: MessageThread

    init(_ thread: MessageThread) { self.thread = thread }

    enum CodingKeys: String, CodingKey { case replies }

    func encode(to encoder: any Encoder) throws {
        try MessageJSON(thread.message).encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(thread.replies.map(MessageThreadJSON.init), forKey: .replies)
    }

    func writeJSONObject(to object: inout JSONObjectWriter) {
        MessageJSON(thread.message).writeJSONObject(to: &object)
        object.member("replies", thread.replies.map(MessageThreadJSON.init))
    }
}
