/// What a data export is written as.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// One JSON object a line, each with a `type`: `profile`, `conversation`, `message`,
    /// `notification`, `message_edit`. Everything of the user.
    case ndjson
    /// The messages the user sent, one a row with a header (for spreadsheets).
    case csv

    public var contentType: String {
        switch self {
        case .ndjson: "application/x-ndjson"
        case .csv: "text/csv; charset=utf-8"
        }
    }

    /// The CSV header row; NDJSON has none.
    var header: String? {
        switch self {
        case .ndjson: nil
        case .csv: "message_id,conversation_id,parent_message_id,message_body,sent_at,edited_at\n"
        }
    }
}
