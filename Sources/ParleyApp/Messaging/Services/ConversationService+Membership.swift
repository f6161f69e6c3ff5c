import FoundationEssentials

extension ConversationService {
    /// The most people one request may add.
    static let maxAddedAtOnce = 50

    /// DRF's checks of the `user_ids` list itself: not empty, not longer than ``maxAddedAtOnce``.
    static func checkAdditions(count: Int) throws {
        guard count > 0 else { throw MessagingError.invalid("user_ids", "This list may not be empty.") }
        guard count <= maxAddedAtOnce else {
            throw MessagingError.invalid("user_ids", "Ensure this field has no more than \(maxAddedAtOnce) elements.")
        }
    }

    /// Adds `userIDs` to a conversation `actor` takes part in (any participant may; admins
    /// included only as participants, since a member reads everything). Repeats and people
    /// already in it are passed over. In one transaction, each one added gets a system line
    /// "actor added them" and a notification pointing at it.
    ///
    /// Order of checks: the list (400), the conversation (404/403), then every id an existing
    /// user (400, naming the unknown ones).
    func addParticipants(_ userIDs: [UUID], to conversationID: UUID, by actor: AuthenticatedUser) throws -> ParticipantAddition {
        try Self.checkAdditions(count: userIDs.count)
        var wanted: [UUID] = []
        for id in userIDs where !wanted.contains(id) { wanted.append(id) }
        return try store.transaction { repositories in
            guard try repositories.conversations.lockForMembershipChange(conversationID) else { throw MessagingError.conversationNotFound }
            try Self.requireParticipant(repositories, conversationID, actor.id)
            let names = try repositories.users.usernames(wanted)
            let unknown = wanted.filter { names[$0] == nil }
            if !unknown.isEmpty {
                throw MessagingError(
                    kind: .invalid, message: "Invalid input.",
                    fields: ["user_ids": unknown.map { "Invalid pk \"\($0.apiString)\" - object does not exist." }])
            }
            let added = try repositories.conversations.addParticipants(conversationID, userIDs: wanted)
            // Each system line moves the conversation's last activity, as any message does
            // (migration 0019's trigger).
            for memberID in added {
                let line = try repositories.messages.insertSystemLine(
                    conversationID: conversationID, kind: .memberAdded, actorID: actor.id, memberID: memberID,
                    text: MessageKind.systemText(.memberAdded, actor: actor.username, member: names[memberID] ?? ""))
                try repositories.notifications.notify(memberID, of: line)
            }
            guard let summary = try repositories.conversations.summary(conversationID, for: actor.id) else {
                throw MessagingError.conversationNotFound
            }
            return ParticipantAddition(conversation: summary, added: added)
        }
    }

    /// Takes `userID` out of a conversation: anyone may leave (`userID` is `actor`'s own id);
    /// only its creator or an admin (participant or not: admins moderate) may remove someone
    /// else. In one transaction: the participant row, their notifications of it, and a system
    /// line "actor removed them" or "they left". The last one out deletes the conversation with
    /// everything in it instead.
    ///
    /// Order of checks: the conversation (404), the caller's right (403), then whether
    /// `userID` is in it (404).
    func removeParticipant(_ userID: UUID, from conversationID: UUID, by actor: AuthenticatedUser) throws -> ParticipantRemoval {
        try store.transaction { repositories in
            let conversations = repositories.conversations
            guard try conversations.lockForMembershipChange(conversationID),
                  let access = try conversations.access(conversationID, userID: actor.id, lock: false)
            else { throw MessagingError.conversationNotFound }
            let leaving = userID == actor.id
            guard access.isParticipant || actor.isAdmin else { throw MessagingError.notParticipant }
            guard leaving || actor.isAdmin || access.conversation.createdBy == actor.id else { throw MessagingError.notCreatorToRemove }
            guard try conversations.removeParticipant(conversationID, userID: userID) else { throw MessagingError.participantNotFound }
            guard try conversations.exists(conversationID) else { return .conversationDeleted }
            try repositories.notifications.deleteAll(recipientID: userID, conversationID: conversationID)
            let kind: MessageKind = leaving ? .memberLeft : .memberRemoved
            let member = try repositories.users.usernames([userID])[userID] ?? ""
            _ = try repositories.messages.insertSystemLine(
                conversationID: conversationID, kind: kind, actorID: actor.id, memberID: userID,
                text: MessageKind.systemText(kind, actor: actor.username, member: member))
            return leaving ? .left : .removed
        }
    }
}
