import FoundationEssentials

/// The demo conversations, played through the messaging services. Records when each message
/// "was" sent (minutes ago) for ``DemoTimelineRepository`` to apply afterwards.
final class DemoScript {
    let users: [String: AuthenticatedUser]
    let conversations: ConversationService
    let messages: MessageService

    /// Each message and edit, with how many minutes ago it happened.
    private(set) var timeline = DemoTimeline()
    /// Conversations alice has read.
    private(set) var readByAlice: [UUID] = []

    init(users: [String: AuthenticatedUser], conversations: ConversationService, messages: MessageService) {
        self.users = users
        self.conversations = conversations
        self.messages = messages
    }

    /// Returns how many conversations it created.
    func play() throws -> Int {
        let hike = try start("alice", with: ["bob", "carol"], title: "Weekend hike", minutesAgo: 1800)
        let plan = try say("alice", in: hike, "Who’s up for the ridge trail on Saturday? Start at 8 at the north trailhead, back by 3.", minutesAgo: 1795)
        let lunch = try say("bob", in: hike, "I’m in! Should we bring lunch or stop at the hut?", minutesAgo: 1760)
        let hut = try say("alice", in: hike, "The hut closes at noon on weekends, so bring lunch.", replyTo: lunch, minutesAgo: 1750)
        try say("carol", in: hike, "I’ll bake something for everyone.", replyTo: hut, minutesAgo: 1500)
        let lift = try say("carol", in: hike, "Count me in. Can someone give me a lift?", minutesAgo: 1490)
        try say("bob", in: hike, "Two free seats in my car. I’ll pick you up at 7:30.", replyTo: lift, minutesAgo: 1420)
        let forecast = try say("alice", in: hike, "Forecast says sun. See you all at the trailhead!", minutesAgo: 190)
        try edit(forecast, by: "alice", to: "Forecast says sun and 18 °C. See you all at the trailhead at 8!", minutesAgo: 185)
        try say("bob", in: hike, "Bringing the map, just in case.", replyTo: plan, minutesAgo: 95)
        readByAlice.append(hike)

        let release = try start("alice", with: ["admin"], title: "Release checklist", minutesAgo: 4300)
        try say("admin", in: release, "Reminder: the old footer still has a <script> tag in it. It has to go before Friday.", minutesAgo: 4290)
        let done = try say("alice", in: release, "Removed. Also bumped the stylesheet version.", minutesAgo: 4200)
        try edit(done, by: "alice", to: "Removed, and bumped the stylesheet version so browsers fetch the new one.", minutesAgo: 4195)
        try say("admin", in: release, "Thanks! Tagging the release now.", replyTo: done, minutesAgo: 4100)
        readByAlice.append(release)

        let book = try start("bob", with: ["alice"], title: "", minutesAgo: 40)
        try say("bob", in: book, "Thanks for lending me the book!\nChapter 7 was the best one.", minutesAgo: 38)
        try say("bob", in: book, "Can I keep it until next week?", minutesAgo: 6)
        return 3
    }

    private func user(_ name: String) -> AuthenticatedUser {
        guard let user = users[name] else { preconditionFailure("demo user \(name) missing") }
        return user
    }

    private func start(_ creator: String, with others: [String], title: String, minutesAgo: Int) throws -> UUID {
        let summary = try conversations.create(by: user(creator), participantIDs: others.map { user($0).id }, title: title)
        let id = summary.conversation.conversationID
        timeline.conversations.append((id, minutesAgo))
        return id
    }

    @discardableResult
    private func say(_ sender: String, in conversation: UUID, _ body: String, replyTo parent: UUID? = nil, minutesAgo: Int) throws -> UUID {
        let result = try messages.send(MessageDraft(body: body, parentMessageID: parent), to: conversation, by: user(sender).id) { _ in
            StoredResponse(status: 201, body: [])
        }
        guard let message = result.message else { preconditionFailure("a demo message was not stored") }
        timeline.messages.append((message.messageID, minutesAgo))
        return message.messageID
    }

    private func edit(_ message: UUID, by editor: String, to body: String, minutesAgo: Int) throws {
        _ = try messages.edit(message, body: body, by: user(editor))
        timeline.edits.append((message, minutesAgo))
    }
}
