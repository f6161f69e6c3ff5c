import FoundationEssentials

/// Which messages a list shows.
struct MessageFilter: Sendable, Equatable {
    /// Only this conversation's messages.
    var conversationID: UUID?
    /// Only messages in conversations this user takes part in.
    var visibleTo: UUID?
    var senderID: UUID?
    /// `sent_at >= sentFrom`.
    var sentFrom: Date?
    /// `sent_at <= sentUntil`.
    var sentUntil: Date?
}

/// The list order: by (`sent_at`, `message_id`), oldest or newest first.
enum MessageOrdering: Sendable, Equatable {
    case oldestFirst
    case newestFirst
}

/// Which slice of the ordered list: a numbered page (OFFSET, with a total count), or a keyset
/// seek from a message — `after` it or `before` it in the list's order — that reads only the
/// rows it returns, however deep the history is.
enum MessageWindow: Sendable, Equatable {
    case page(PageRequest)
    case after(UUID, limit: Int)
    case before(UUID, limit: Int)
}

/// A position in the (`sent_at`, `message_id`) order.
struct MessageCursor: Sendable, Equatable {
    var sentAt: Date
    var messageID: UUID
}

/// The two scan directions of a keyset seek: `ascending` reads rows after the cursor in
/// (sent_at, message_id) order, `descending` the rows before it, nearest first.
enum ScanDirection: Sendable, Equatable {
    case ascending
    case descending
}

/// A message list answer.
enum MessageListing: Sendable, Equatable {
    case page(Page<Message>)
    case cursor(CursorPage<Message>)
}
