import Mustache

// The views of the busiest pages (layout, inbox, conversation) answer template lookups with a
// switch: Mirror demangles field metadata and casts every value, and that was most of a
// conversation page's cost (bench/README.md, "Pages and templates"). Other views are
// still read by reflection. PageViewConformanceTests checks that every stored property of
// these types is reachable here under its own name.

extension MustacheValue {
    static func views(_ views: [some MustacheObject]) -> MustacheValue { .list(views.map { .object($0) }) }
    static func strings(_ strings: [String]) -> MustacheValue { .list(strings.map { .string($0) }) }
}

extension LayoutView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "title": .string(title)
        case "styleVersion": .string(styleVersion)
        case "csrfToken": .string(csrfToken)
        case "user": user.map { .object($0) }
        case "nav": .object(nav)
        case "flash": flash.map { .object($0) }
        case "page": page
        default: nil
        }
    }
}

extension NavUserView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "userID": .string(userID)
        case "username": .string(username)
        case "isAdmin": .bool(isAdmin)
        case "unreadNotifications": .int(unreadNotifications)
        case "hasUnread": .bool(hasUnread)
        default: nil
        }
    }
}

extension NavView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "inbox": .bool(inbox)
        case "newConversation": .bool(newConversation)
        case "notifications": .bool(notifications)
        case "account": .bool(account)
        case "admin": .bool(admin)
        case "adminStats": .bool(adminStats)
        case "login": .bool(login)
        case "signup": .bool(signup)
        default: nil
        }
    }
}

extension FlashView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "kind": .string(kind)
        case "text": .string(text)
        case "isError": .bool(isError)
        default: nil
        }
    }
}

extension FieldView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "name": .string(name)
        case "value": .string(value)
        case "errors": .strings(errors)
        case "hasErrors": .bool(hasErrors)
        default: nil
        }
    }
}

extension TimeView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "iso": .string(iso)
        case "exact": .string(exact)
        case "relative": .string(relative)
        default: nil
        }
    }
}

extension MessageView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "isSystemLine": .bool(isSystemLine)
        case "id": .string(id)
        case "sender": .string(sender)
        case "body": .string(body)
        case "sent": .object(sent)
        case "isFlattenedReply": .bool(isFlattenedReply)
        case "isEdited": .bool(isEdited)
        case "isOwn": .bool(isOwn)
        case "hasReplies": .bool(hasReplies)
        case "replies": .views(replies)
        case "edited": .object(edited)
        case "inReplyTo": .string(inReplyTo)
        case "replyCount": .int(replyCount)
        case "systemText": .string(systemText)
        default: nil
        }
    }
}

extension PaginationView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "hasPrevious": .bool(hasPrevious)
        case "previousURL": .string(previousURL)
        case "hasNext": .bool(hasNext)
        case "nextURL": .string(nextURL)
        case "isNeeded": .bool(isNeeded)
        case "number": .int(number)
        default: nil
        }
    }
}

extension ConversationPages.InboxView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "conversations": .views(conversations)
        case "isEmpty": .bool(isEmpty)
        case "pagination": .object(pagination)
        default: nil
        }
    }
}

extension ConversationPages.ConversationRowView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "url": .string(url)
        case "label": .string(label)
        case "participants": .string(participants)
        case "showsParticipants": .bool(showsParticipants)
        case "hasPreview": .bool(hasPreview)
        case "preview": .string(preview)
        case "previewSender": .string(previewSender)
        case "activity": .object(activity)
        case "unreadCount": .int(unreadCount)
        case "hasUnread": .bool(hasUnread)
        case "previewIsSystemLine": .bool(previewIsSystemLine)
        default: nil
        }
    }
}

extension ConversationPages.ConversationView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "id": .string(id)
        case "label": .string(label)
        case "participantList": .string(participantList)
        case "showsParticipants": .bool(showsParticipants)
        case "messages": .views(messages)
        case "isEmpty": .bool(isEmpty)
        case "hasEarlier": .bool(hasEarlier)
        case "earlierURL": .string(earlierURL)
        case "isEarlierPage": .bool(isEarlierPage)
        case "compose": .object(compose)
        case "members": members.map { .object($0) }
        default: nil
        }
    }
}

extension ConversationPages.ComposeView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "body": .object(body)
        case "parentID": .string(parentID)
        case "isReply": .bool(isReply)
        case "replyingTo": .string(replyingTo)
        default: nil
        }
    }
}

extension MembersPanelView: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "conversationID": .string(conversationID)
        case "people": .views(people)
        case "count": .int(count)
        case "add": .object(add)
        case "isOpen": .bool(isOpen)
        case "isLastMember": .bool(isLastMember)
        default: nil
        }
    }
}

extension MembersPanelView.Member: MustacheObject {
    func mustacheValue(for key: MustacheKey) -> MustacheValue? {
        switch key {
        case "userID": .string(userID)
        case "username": .string(username)
        case "fullName": .string(fullName)
        case "hasFullName": .bool(hasFullName)
        case "isViewer": .bool(isViewer)
        case "isCreator": .bool(isCreator)
        case "canRemove": .bool(canRemove)
        default: nil
        }
    }
}
