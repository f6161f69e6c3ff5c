extension OpenAPIPaths {
    /// `/api/users/me/export/` (``ExportController``).
    static func export() -> [String: Value] {
        [
            "/api/users/me/export/": [
                "get": operation(
                    "exportCurrentUser", tag: "accounts", .user, summary: "Everything of the caller, as NDJSON",
                    description: "One JSON object a line, each with a `type`: one `profile`, then every `conversation` the caller is in, every `message` they sent, their `notification`s and the `message_edit`s they made (earlier bodies). Streamed as it is read, in one snapshot, with no `Content-Length`; a last line of `type` `error` means the export stopped early. One export per user runs at a time.",
                    responses: [
                        "200": [
                            "description": "The export.",
                            "content": ["application/x-ndjson": ["schema": ["type": "string"]]],
                        ],
                        "429": response("TooManyRequests", "An export of the caller's data is already running."),
                    ]),
            ],
        ]
    }
}
