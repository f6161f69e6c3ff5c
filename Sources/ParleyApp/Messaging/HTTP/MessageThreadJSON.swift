import Foundation

/// A message with `replies`: the same nodes, recursively (an empty array on leaves).
struct MessageThreadJSON: Encodable {
    var thread: MessageThread

    init(_ thread: MessageThread) { self.thread = thread }

    enum CodingKeys: String, CodingKey { case replies }

    func encode(to encoder: any Encoder) throws {
        try MessageJSON(thread.message).encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(thread.replies.map(MessageThreadJSON.init), forKey: .replies)
    }
}
