extension PostgresError {
    /// A SQLSTATE error code (https://www.postgresql.org/docs/current/errcodes-appendix.html).
    ///
    /// Compare against the static constants: `error.code == .uniqueViolation`.
    public struct Code: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
        /// The five-character SQLSTATE, for example `23505`.
        public let raw: String

        public init(raw: String) {
            self.raw = raw
        }

        public init(stringLiteral value: String) {
            self.raw = value
        }

        /// The two-character class, for example `23` (integrity constraint violation).
        public var `class`: Substring {
            self.raw.prefix(2)
        }

        public var description: String {
            self.raw
        }

        // Class 08 — Connection Exception
        public static let connectionException: Code = "08000"
        public static let connectionDoesNotExist: Code = "08003"
        public static let connectionFailure: Code = "08006"
        public static let sqlclientUnableToEstablishSqlconnection: Code = "08001"
        public static let sqlserverRejectedEstablishmentOfSqlconnection: Code = "08004"
        public static let transactionResolutionUnknown: Code = "08007"
        public static let protocolViolation: Code = "08P01"

        // Class 0A — Feature Not Supported
        public static let featureNotSupported: Code = "0A000"

        // Class 21 — Cardinality Violation
        public static let cardinalityViolation: Code = "21000"

        // Class 22 — Data Exception
        public static let dataException: Code = "22000"
        public static let stringDataRightTruncation: Code = "22001"
        public static let numericValueOutOfRange: Code = "22003"
        public static let nullValueNotAllowed: Code = "22004"
        public static let invalidDatetimeFormat: Code = "22007"
        public static let datetimeFieldOverflow: Code = "22008"
        public static let divisionByZero: Code = "22012"
        public static let characterNotInRepertoire: Code = "22021"
        public static let invalidTextRepresentation: Code = "22P02"
        public static let invalidBinaryRepresentation: Code = "22P03"
        public static let untranslatableCharacter: Code = "22P05"
        public static let invalidJsonText: Code = "22032"

        // Class 23 — Integrity Constraint Violation
        public static let integrityConstraintViolation: Code = "23000"
        public static let restrictViolation: Code = "23001"
        public static let notNullViolation: Code = "23502"
        public static let foreignKeyViolation: Code = "23503"
        public static let uniqueViolation: Code = "23505"
        public static let checkViolation: Code = "23514"
        public static let exclusionViolation: Code = "23P01"

        // Class 25 — Invalid Transaction State
        public static let invalidTransactionState: Code = "25000"
        public static let activeSqlTransaction: Code = "25001"
        public static let readOnlySqlTransaction: Code = "25006"
        public static let noActiveSqlTransaction: Code = "25P01"
        public static let inFailedSqlTransaction: Code = "25P02"
        public static let idleInTransactionSessionTimeout: Code = "25P03"

        // Class 26 — Invalid SQL Statement Name
        public static let invalidSqlStatementName: Code = "26000"

        // Class 28 — Invalid Authorization Specification
        public static let invalidAuthorizationSpecification: Code = "28000"
        public static let invalidPassword: Code = "28P01"

        // Class 3D/3F — Invalid Catalog / Schema Name
        public static let invalidCatalogName: Code = "3D000"
        public static let invalidSchemaName: Code = "3F000"

        // Class 40 — Transaction Rollback
        public static let transactionRollback: Code = "40000"
        public static let transactionIntegrityConstraintViolation: Code = "40002"
        public static let serializationFailure: Code = "40001"
        public static let statementCompletionUnknown: Code = "40003"
        public static let deadlockDetected: Code = "40P01"

        // Class 42 — Syntax Error or Access Rule Violation
        public static let syntaxErrorOrAccessRuleViolation: Code = "42000"
        public static let syntaxError: Code = "42601"
        public static let insufficientPrivilege: Code = "42501"
        public static let datatypeMismatch: Code = "42804"
        public static let wrongObjectType: Code = "42809"
        public static let undefinedColumn: Code = "42703"
        public static let undefinedFunction: Code = "42883"
        public static let undefinedTable: Code = "42P01"
        public static let undefinedParameter: Code = "42P02"
        public static let undefinedObject: Code = "42704"
        public static let duplicateColumn: Code = "42701"
        public static let duplicateDatabase: Code = "42P04"
        public static let duplicateFunction: Code = "42723"
        public static let duplicatePreparedStatement: Code = "42P05"
        public static let duplicateSchema: Code = "42P06"
        public static let duplicateTable: Code = "42P07"
        public static let duplicateObject: Code = "42710"
        public static let ambiguousColumn: Code = "42702"
        public static let ambiguousParameter: Code = "42P08"
        public static let indeterminateDatatype: Code = "42P18"
        public static let groupingError: Code = "42803"
        public static let cannotCoerce: Code = "42846"

        // Class 53 — Insufficient Resources
        public static let insufficientResources: Code = "53000"
        public static let diskFull: Code = "53100"
        public static let outOfMemory: Code = "53200"
        public static let tooManyConnections: Code = "53300"

        // Class 54 — Program Limit Exceeded
        public static let programLimitExceeded: Code = "54000"
        public static let statementTooComplex: Code = "54001"

        // Class 55 — Object Not In Prerequisite State
        public static let objectNotInPrerequisiteState: Code = "55000"
        public static let objectInUse: Code = "55006"
        public static let lockNotAvailable: Code = "55P03"

        // Class 57 — Operator Intervention
        public static let operatorIntervention: Code = "57000"
        public static let queryCanceled: Code = "57014"
        public static let adminShutdown: Code = "57P01"
        public static let crashShutdown: Code = "57P02"
        public static let cannotConnectNow: Code = "57P03"
        public static let databaseDropped: Code = "57P04"
        public static let idleSessionTimeout: Code = "57P05"

        // Class 58 — System Error
        public static let systemError: Code = "58000"
        public static let ioError: Code = "58030"

        // Class P0 — PL/pgSQL Error
        public static let plpgsqlError: Code = "P0000"
        public static let raiseException: Code = "P0001"

        // Class XX — Internal Error
        public static let internalError: Code = "XX000"
        public static let dataCorrupted: Code = "XX001"
    }
}
