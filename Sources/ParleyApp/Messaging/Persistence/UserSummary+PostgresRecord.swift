import FoundationEssentials
import Postgres

/// A participant as the conversation queries read them: migration 0018's composite
/// `participant_summary (user_id, username, first_name, last_name)`, so a conversation's
/// participants are one array column.
extension UserSummary: PostgresDecodable {
    init(postgresBytes bytes: UnsafeRawBufferPointer, type: PostgresDataType) throws {
        var fields = try PostgresRecordReader(bytes, type: type)
        guard fields.count == 4 else { throw PostgresDecodingFailure("a participant has 4 fields, not \(fields.count)") }
        self.init(
            userID: try fields.next(UUID.self), username: try fields.next(String.self),
            firstName: try fields.next(String.self), lastName: try fields.next(String.self))
    }
}
