extension OpenAPIPaths {
    /// `/api/conversations/{id}/participants/…` (``ParticipantController``).
    static func participants() -> [String: Value] {
        [
            "/api/conversations/{id}/participants/": [
                "parameters": [parameter("ConversationID")],
                "post": operation(
                    "addConversationParticipants", tag: "conversations", .user, summary: "Add people to a conversation",
                    description: "Any participant may add; an admin only as a participant. People already in it, and repeats, are passed over. Each one added sees the history from the start (it is not unread for them), gets a `member_added` line in the thread (`alice added carol`) and a notification that points at it. A retry adds nobody twice, so no `Idempotency-Key` is needed. Checks in order: the list (400), the conversation (404/403), the users (400).",
                    body: body("ParticipantsAdd"),
                    responses: [
                        "200": ok("The conversation, as its detail route shows it.", schema("Conversation")),
                        "400": response("BadRequest", "`user_ids` missing, not a list, empty, longer than \(ConversationService.maxAddedAtOnce), with an entry that is not a UUID, or naming no user."),
                        "403": response("Forbidden", "The caller is not a participant (admins included)\(closed)."),
                        "404": response("NotFound"),
                    ]),
            ],
            "/api/conversations/{id}/participants/{user_id}/": [
                "parameters": [parameter("ConversationID"), participantUserID],
                "delete": operation(
                    "removeConversationParticipant", tag: "conversations", .user, summary: "Remove someone, or leave",
                    description: "With the caller's own id, the caller leaves; only the conversation's creator or an admin (a participant or not) removes someone else. The conversation disappears from that user's list and they can no longer read or post in it (403), their notifications of it go, and their messages stay, with their name. The thread gets a `member_left` or `member_removed` line. When the last participant leaves, the conversation is deleted with its messages and notifications.",
                    responses: [
                        "204": noContent("Removed, or left; for the last one out, the conversation is deleted."),
                        "403": response("Forbidden", "The caller is not a participant (and not an admin), or removes someone else without being the creator or an admin\(closed)."),
                        "404": response("NotFound", "No such conversation, or that user is not in it."),
                    ]),
            ],
        ]
    }

    static let participantUserID: Value = [
        "name": "user_id", "in": "path", "required": true,
        "description": "The participant's user id: the caller's own to leave. A malformed id is a 404.",
        "schema": OpenAPIDocument.uuidSchema,
    ]
}
