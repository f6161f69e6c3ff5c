import FoundationEssentials

extension PostgresError {
    /// A one-line description for logs that carries no data: the kind, the SQLSTATE, where the
    /// server says it happened (schema, table, column, constraint, data type) and which statement
    /// it was (its command and target table, from the SQL text). Never the server's message,
    /// detail or hint, which quote values (`Key (email)=(ada@example.com) already exists`,
    /// `invalid input syntax for type uuid: "…"`, a trigger's RAISE text), nor the SQL itself.
    /// Errors raised on this side (connection, encoding, configuration) keep their message, which
    /// this module writes without bind values; decoding errors name the column and the types.
    public var logDescription: String {
        var text = "PostgresError(\(self.kind)"
        if let code = self.code { text += ", SQLSTATE \(code)" }
        text += ")"
        var fields: [String] = []
        switch self.kind {
        case .server:
            if let severity = self.severity, severity != "ERROR" { fields.append("severity=\(severity)") }
        case .decoding:
            if let context = self.decodingContext {
                fields.append("column=\(context.column)")
                fields.append("postgres_type=\(context.postgresType)")
                fields.append("swift_type=\(context.swiftType)")
            } else {
                fields.append("message=\"decoding failed\"")
            }
        default:
            fields.append("message=\(Self.quoted(self.message))")
        }
        if let table = self.tableName { fields.append("table=\([self.schemaName, table].compactMap { $0 }.joined(separator: "."))") }
        if let column = self.columnName { fields.append("column=\(column)") }
        if let constraint = self.constraintName { fields.append("constraint=\(constraint)") }
        if let sql = self.sql, let statement = Self.statementSummary(sql) { fields.append("statement=\"\(statement)\"") }
        if self.isConnectionFailure && self.kind != .connection { fields.append("connection_lost=true") }
        return fields.isEmpty ? text : text + " " + fields.joined(separator: " ")
    }

    /// The command and its target of a SQL text: `INSERT INTO users …` → `INSERT users`,
    /// `UPDATE refresh_tokens SET …` → `UPDATE refresh_tokens`, `SELECT … FROM messages m …` →
    /// `SELECT messages`, `WITH … ` → `WITH`. Only keywords and identifiers, never literals.
    static func statementSummary(_ sql: String) -> String? {
        var words: [Substring] = []
        var rest = sql[...]
        // Words made of identifier characters only; quoted text and punctuation separate them.
        while !rest.isEmpty, words.count < 400 {
            rest = rest.drop { !isIdentifierCharacter($0) && $0 != "'" && $0 != "-" }
            guard let first = rest.first else { break }
            if first == "'" {
                // A literal: skip it whole ('' inside is an escaped quote).
                rest = rest.dropFirst()
                while let end = rest.firstIndex(of: "'") {
                    rest = rest[rest.index(after: end)...]
                    if rest.first == "'" { rest = rest.dropFirst() } else { break }
                }
                continue
            }
            if first == "-" {
                if rest.hasPrefix("--") { rest = rest.drop { $0 != "\n" } } else { rest = rest.dropFirst() }
                continue
            }
            let word = rest.prefix(while: isIdentifierCharacter)
            words.append(word)
            rest = rest.dropFirst(word.count)
        }
        guard let verb = words.first?.uppercased(), verb.first?.isLetter == true else { return nil }
        func after(_ keyword: String) -> Substring? {
            guard let index = words.firstIndex(where: { $0.uppercased() == keyword }), index + 1 < words.count else { return nil }
            let word = words[index + 1]
            return word.first?.isNumber == false && !word.hasPrefix("$") ? word : nil
        }
        let target: Substring?
        switch verb {
        case "INSERT": target = after("INTO")
        case "UPDATE": target = words.count > 1 ? words[1] : nil
        case "DELETE", "SELECT": target = after("FROM")
        default: target = nil
        }
        return target.map { "\(verb) \($0.prefix(63))" } ?? verb
    }

    private static func isIdentifierCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "." || character == "$")
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }
}

extension PostgresTransactionError {
    /// ``PostgresError/logDescription`` for each part; other errors by their type only.
    public var logDescription: String {
        var parts: [String] = []
        if let error = self.beginError { parts.append("BEGIN failed: \(Self.logDescription(of: error))") }
        if let error = self.closureError { parts.append("closure failed: \(Self.logDescription(of: error))") }
        if let error = self.rollbackError { parts.append("ROLLBACK failed: \(Self.logDescription(of: error))") }
        if let error = self.commitError { parts.append("COMMIT failed: \(Self.logDescription(of: error))") }
        let attempts = self.attempts > 1 ? " after \(self.attempts) attempts" : ""
        return "PostgresTransactionError(\(self.file):\(self.line)\(attempts)): " + parts.joined(separator: "; ")
    }

    static func logDescription(of error: any Error) -> String {
        postgresLogDescription(error)
    }
}

/// What this module's own log lines say about an error: ``PostgresError/logDescription`` and
/// ``PostgresTransactionError/logDescription``; any other error by its type only.
func postgresLogDescription(_ error: any Error) -> String {
    switch error {
    case let error as PostgresError: error.logDescription
    case let error as PostgresTransactionError: error.logDescription
    default: String(reflecting: type(of: error))
    }
}
