import FoundationEssentials

/// A Nchan channel: one per conversation (`conv-<id>`: its messages created, edited, deleted)
/// and one per user (`user-<id>`: new notifications and unread counts). Channel ids are not
/// secrets; only ``LiveController``'s check grants a subscription.
enum LiveChannel: Equatable {
    case conversation(UUID)
    case user(UUID)

    /// The id nginx computed from the subscriber's URL (`$nchan_channel_id`); nil when it is
    /// not one of ours.
    init?(nchanID text: String) {
        if text.hasPrefix("conv-"), let id = UUID(apiString: text.dropFirst(5)) {
            self = .conversation(id)
        } else if text.hasPrefix("user-"), let id = UUID(apiString: text.dropFirst(5)) {
            self = .user(id)
        } else {
            return nil
        }
    }

    init?(kind: String, id: UUID) {
        switch kind {
        case "conversation": self = .conversation(id)
        case "user": self = .user(id)
        default: return nil
        }
    }

    var nchanID: String {
        switch self {
        case .conversation(let id): "conv-" + id.apiString
        case .user(let id): "user-" + id.apiString
        }
    }

    /// The path of the publisher location on nginx's publisher socket.
    var publishPath: String {
        switch self {
        case .conversation(let id): "/pub/conversations/" + id.apiString
        case .user(let id): "/pub/users/" + id.apiString
        }
    }
}
