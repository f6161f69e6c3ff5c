import Foundation
import Mustache
@testable import ParleyApp
import Testing
import Web

/// The page views that answer template lookups with a switch (Views+Mustache.swift) must answer
/// for every stored property, with the value reflection would have given: a property added to
/// a view but not to its switch would otherwise render as nothing.
@Suite("Page views: MustacheObject answers match their stored properties")
struct PageViewConformanceTests {
    static func describe(_ value: MustacheValue?) -> String {
        switch value {
        case nil, .null?: "absent"
        case .bool(let bool)?: "bool \(bool)"
        case .int(let int)?: "int \(int)"
        case .string(let string)?: "string \(string)"
        case .list(let list)?: "list of \(list.count): " + list.map { describe($0) }.joined(separator: ", ")
        case .object?: "object"
        }
    }

    static func check(_ view: some MustacheObject) {
        let children = Mirror(reflecting: view).children
        #expect(!children.isEmpty)
        for child in children {
            guard let label = child.label else { continue }
            var reflected: MustacheValue? = MustacheValue(reflecting: child.value)
            if case .null? = reflected { reflected = nil }  // nil properties are absent (the lookup climbs)
            #expect(describe(view.mustacheValue(for: MustacheKey(label))) == describe(reflected), "\(type(of: view)).\(label)")
        }
        #expect(view.mustacheValue(for: MustacheKey("noSuchProperty")) == nil)
    }

    @Test("every property of every converted view is reachable under its name")
    func everyProperty() {
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        let time = TimeView(now.addingTimeInterval(-90), now: now)
        let field = FieldView("message_body", value: "hi <b>", errors: ["message_body": ["Too long.", "Bad."]])
        let nav = NavView(inbox: true, notifications: true)
        let user = NavUserView(userID: "00000000-0000-4000-8000-000000000001", username: "ada", isAdmin: true, unreadNotifications: 3, hasUnread: true)
        let flash = FlashView(kind: "error", text: "Nope", isError: true)
        let reply = MessageView(
            id: "r", sender: "bob", body: "reply", sent: time, isEdited: false, edited: time, isOwn: false,
            inReplyTo: "ada", isFlattenedReply: true, replies: [], hasReplies: false, replyCount: 0)
        let message = MessageView(
            id: "m", sender: "ada", body: "hello & bye", sent: time, isEdited: true, edited: time, isOwn: true,
            inReplyTo: "", isFlattenedReply: false, replies: [reply], hasReplies: true, replyCount: 1)
        let pagination = PaginationView(
            Page(items: [1, 2], total: 9, request: PageRequest(number: 2, size: 2)), path: "/inbox", query: URLEncodedForm(pairs: []))
        let row = ConversationPages.ConversationRowView(
            url: "/conversations/c", label: "Plans", participants: "bob", showsParticipants: true, hasPreview: true,
            preview: "see you", previewSender: "bob", activity: time, unreadCount: 2, hasUnread: true)
        let compose = ConversationPages.ComposeView(body: field, parentID: "m", isReply: true, replyingTo: "ada")
        let viewer = AuthenticatedUser(id: UUID(), username: "ada", role: .guest)
        let summary = ConversationSummary(
            conversation: Conversation(conversationID: UUID(), title: "Plans", createdBy: viewer.id, createdAt: now, lastMessageAt: now),
            participants: [
                UserSummary(userID: viewer.id, username: "ada", firstName: "Ada", lastName: "L"),
                UserSummary(userID: UUID(), username: "bob", firstName: "", lastName: ""),
            ],
            lastMessage: nil, unreadCount: 0)
        let members = MembersPanelView(summary, viewer: viewer, add: field)
        var conversation = ConversationPages.ConversationView(
            id: "c", label: "Plans", participantList: "bob", showsParticipants: true, messages: [message], isEmpty: false,
            hasEarlier: true, earlierURL: "/conversations/c?before=m", isEarlierPage: false, compose: compose)
        Self.check(conversation)
        conversation.members = members
        Self.check(LayoutView(title: "T", styleVersion: "1", csrfToken: "tok", user: user, nav: nav, flash: flash, page: .object(conversation)))
        Self.check(LayoutView(title: "T", styleVersion: "1", csrfToken: "tok", user: nil, nav: nav, flash: nil, page: .object(conversation)))
        Self.check(user)
        Self.check(nav)
        Self.check(flash)
        Self.check(field)
        Self.check(time)
        Self.check(message)
        Self.check(reply)
        Self.check(pagination)
        Self.check(ConversationPages.InboxView(conversations: [row], isEmpty: false, pagination: pagination))
        Self.check(row)
        Self.check(conversation)
        Self.check(compose)
        Self.check(members)
        for member in members.people { Self.check(member) }
    }
}
