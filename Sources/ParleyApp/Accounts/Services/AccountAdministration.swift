import FoundationEssentials
import Logging
import Postgres

/// Account tasks for the command line (`parley createuser`, `parley set-password`), through
/// the same rules and repository as the API: the password is validated and hashed with the configured argon2id
/// parameters, and a taken username or email is reported per field.
public enum AccountAdministration {
    public static func createUser(
        database: PostgresDatabase, configuration: AuthConfiguration, logger: Logger,
        username: String, email: String, password: String, firstName: String, lastName: String, role: Role
    ) throws -> Account {
        let services = ParleyApplication.commandServices(configuration: AppConfiguration(auth: configuration))
        let service = services.accounts(database: database, logger: logger)
        return try service.register(RegistrationInput(
            username: username, email: email, password: password, firstName: firstName, lastName: lastName, role: role))
    }

    /// `parley set-password`: a new password for `username`, checked like a user's own.
    public static func setPassword(
        database: PostgresDatabase, configuration: AuthConfiguration, logger: Logger, username: String, password: String
    ) throws -> Account {
        let services = ParleyApplication.commandServices(configuration: AppConfiguration(auth: configuration))
        let service = services.accounts(database: database, logger: logger)
        return try service.setPassword(username: username, to: password, store: services.repositories.passwordChanges(database))
    }
}
