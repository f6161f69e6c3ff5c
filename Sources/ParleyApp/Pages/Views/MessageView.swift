import FoundationEssentials

/// A message in a conversation page, with its replies nested below it.
///
/// Nesting stops at ``maxNesting`` levels: deeper replies are listed at that level, each
/// saying whom it answers, so a long back-and-forth stays readable on a phone (and the
/// recursive partial that renders the tree stays shallow).
///
/// A class: a template sees each message as an object, boxed once per page and then shared;
/// as a struct, every box and lookup copied its dozen strings, a retain and a release each
/// (bench/README.md, "Pages and templates").
final class MessageView {
    let id: String
    let sender: String
    let body: String
    let sent: TimeView
    let isEdited: Bool
    let edited: TimeView
    let isOwn: Bool
    let inReplyTo: String
    let isFlattenedReply: Bool
    let replies: [MessageView]
    let hasReplies: Bool
    let replyCount: Int
    /// A line about membership ("alice added carol"), shown as `systemText`, without actions.
    let isSystemLine: Bool
    let systemText: String

    init(
        id: String, sender: String, body: String, sent: TimeView, isEdited: Bool, edited: TimeView,
        isOwn: Bool, inReplyTo: String, isFlattenedReply: Bool, replies: [MessageView], hasReplies: Bool, replyCount: Int,
        isSystemLine: Bool = false, systemText: String = ""
    ) {
        self.id = id
        self.sender = sender
        self.body = body
        self.sent = sent
        self.isEdited = isEdited
        self.edited = edited
        self.isOwn = isOwn
        self.inReplyTo = inReplyTo
        self.isFlattenedReply = isFlattenedReply
        self.replies = replies
        self.hasReplies = hasReplies
        self.replyCount = replyCount
        self.isSystemLine = isSystemLine
        self.systemText = systemText
    }

    static let maxNesting = 5

    /// The views of `threads` for `viewer`.
    static func tree(_ threads: [MessageThread], viewer: AuthenticatedUser, now: Date) -> [MessageView] {
        threads.map { node($0, parentSender: nil, depth: 0, viewer: viewer, now: now, flattened: false) }
    }

    private static func node(_ thread: MessageThread, parentSender: String?, depth: Int, viewer: AuthenticatedUser, now: Date, flattened: Bool) -> MessageView {
        let message = thread.message
        var replies: [MessageView] = []
        if depth + 1 < maxNesting {
            replies = thread.replies.map { node($0, parentSender: message.sender.username, depth: depth + 1, viewer: viewer, now: now, flattened: false) }
        } else {
            // At the deepest level: this message's whole subtree, oldest first, as one list.
            var flat: [(MessageThread, String)] = []
            func collect(_ node: MessageThread) {
                for reply in node.replies {
                    flat.append((reply, node.message.sender.username))
                    collect(reply)
                }
            }
            collect(thread)
            flat.sort { ($0.0.message.sentAt, $0.0.message.messageID.apiString) < ($1.0.message.sentAt, $1.0.message.messageID.apiString) }
            replies = flat.map { reply, parent in
                view(reply.message, parentSender: parent, viewer: viewer, now: now, flattened: true, replies: [])
            }
        }
        return view(message, parentSender: parentSender, viewer: viewer, now: now, flattened: flattened, replies: replies)
    }

    private static func view(_ message: Message, parentSender: String?, viewer: AuthenticatedUser, now: Date, flattened: Bool, replies: [MessageView]) -> MessageView {
        let sent = TimeView(message.sentAt, now: now)
        return MessageView(
            id: message.messageID.apiString,
            sender: message.sender.username, body: message.body,
            sent: sent,
            isEdited: message.isEdited, edited: message.editedAt.map { TimeView($0, now: now) } ?? sent,
            isOwn: message.sender.userID == viewer.id,
            inReplyTo: parentSender ?? "", isFlattenedReply: flattened,
            replies: replies, hasReplies: !replies.isEmpty, replyCount: replies.count,
            isSystemLine: message.isSystemLine,
            systemText: MessageKind.systemText(message.kind, actor: message.sender.username, member: message.member?.username ?? ""))
    }
}
