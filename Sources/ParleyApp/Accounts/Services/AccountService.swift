import FoundationEssentials
import Logging

/// Registration, profiles, deletion, finding people, and roles: the rules, with no HTTP.
struct AccountService {
    let accounts: any AccountRepository
    let hasher: PasswordHasher
    let configuration: AuthConfiguration
    var logger = Logger(label: "parley.accounts")
    /// Limits sign-ups per client address, for registrations that come with one (the API's and
    /// the pages'; the commands' do not).
    var limiter: RateLimiter?

    var validation: AccountValidation {
        AccountValidation(configuration: configuration)
    }

    /// Validates every field (all errors at once, as DRF reports them), hashes the password,
    /// and stores the account; a taken username or email is a field error from the unique index.
    /// Valid sign-ups count against `clientAddress`'s limit before the (costly) hash is made.
    func register(_ input: RegistrationInput, clientAddress: String? = nil) throws -> Account {
        var check = validation
        let username = check.username(input.username)
        let email = check.email(input.email)
        let firstName = check.name(input.firstName, field: "first_name", allowBlank: false)
        let lastName = check.name(input.lastName, field: "last_name", allowBlank: true)
        // Compared with the values as they will be stored, or as typed where those are invalid.
        let password = check.password(input.password, attributes: PasswordPolicy.Attributes(
            username: username ?? input.username, firstName: firstName ?? input.firstName,
            lastName: lastName ?? input.lastName, email: email ?? input.email))
        let phoneNumber = check.phoneNumber(input.phoneNumber)
        guard check.errors.isEmpty, let username, let email, let password, let firstName, let lastName, let phoneNumber else {
            throw AccountError.validation(check.errors)
        }
        if let limiter, let clientAddress {
            let decision = try limiter.consume(
                key: "registrations:address:" + ClientAddress.throttleKey(clientAddress),
                limit: configuration.registrationsPerAddress, window: configuration.registrationWindow)
            guard decision.isAllowed else { throw AccountError.throttled(retryAfterSeconds: decision.retryAfterSeconds) }
        }
        let hash = try Self.hashing { try hasher.hash(password) }
        do {
            let account = try accounts.create(NewAccount(
                username: username, email: email, firstName: firstName, lastName: lastName,
                phoneNumber: phoneNumber, passwordHash: hash, role: input.role))
            logger.info("account registered", metadata: ["user": "\(account.id.apiString)", "role": "\(account.role.rawValue)"])
            return account
        } catch let duplicate as DuplicateAccountError {
            throw Self.fieldError(duplicate)
        }
    }

    func profile(id: UUID) throws -> Account {
        guard let account = try accounts.find(id: id) else { throw AccountError.notFound }
        return account
    }

    /// Applies the fields present, validated like registration. Role and password are not
    /// editable here.
    func updateProfile(id: UUID, _ input: ProfileUpdateInput) throws -> Account {
        var check = validation
        if input.triedPassword {
            check.fail("password", "The password cannot be changed here.")
        }
        var changes = AccountChanges()
        changes.username = required(input.username, "username", &check) { $0.username($1) }
        changes.email = required(input.email, "email", &check) { $0.email($1) }
        changes.firstName = required(input.firstName, "first_name", &check) { $0.name($1, field: "first_name", allowBlank: false) }
        changes.lastName = required(input.lastName, "last_name", &check) { $0.name($1, field: "last_name", allowBlank: true) }
        switch input.phoneNumber {
        case .absent: break
        case .null: changes.phoneNumber = .some(nil)
        case .value(let text): changes.phoneNumber = check.phoneNumber(text)
        }
        guard check.errors.isEmpty else { throw AccountError.validation(check.errors) }
        if changes.isEmpty { return try profile(id: id) }
        do {
            guard let account = try accounts.update(id: id, changes) else { throw AccountError.notFound }
            return account
        } catch let duplicate as DuplicateAccountError {
            throw Self.fieldError(duplicate)
        }
    }

    /// Deletes the account and everything that cascades from it; its tokens stop working at
    /// once because authentication reloads the user on every request.
    func deleteAccount(id: UUID) throws {
        guard try accounts.delete(id: id) else { throw AccountError.notFound }
        logger.info("account deleted", metadata: ["user": "\(id.apiString)"])
    }

    /// People whose username or name contains every term of `text` (split on spaces and
    /// commas, as DRF's SearchFilter does); everyone when `text` is empty.
    func search(_ text: String?, page: PageRequest) throws -> Page<Account> {
        let text = text ?? ""
        guard !text.unicodeScalars.contains("\u{0}") else { throw AccountError.validation("search", AccountValidation.nullCharacters) }
        guard text.count <= 200 else { throw AccountError.validation("search", AccountValidation.tooLong(200)) }
        let terms = text.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init)
        // Longest terms first: with at most three used, keep the most selective.
        let chosen = Array(terms.sorted { $0.count > $1.count }.prefix(3))
        let page = try accounts.search(terms: chosen, page: page)
        guard page.request.exists(total: page.total) else {
            throw AccountError.invalidPage
        }
        return page
    }

    /// An admin changes someone's role. Admins cannot change their own (no accidental lock-out).
    func setRole(of id: UUID, to role: FieldUpdate<String>, by actor: UUID) throws -> Account {
        let value: String
        switch role {
        case .absent: throw AccountError.validation("role", AccountValidation.required)
        case .null: throw AccountError.validation("role", "This field may not be null.")
        case .value(let text): value = text
        }
        guard let newRole = Role(rawValue: value) else {
            throw AccountError.validation("role", "\"\(value)\" is not a valid choice.")
        }
        guard id != actor else { throw AccountError.validation("role", "You cannot change your own role.") }
        guard let account = try accounts.setRole(id: id, role: newRole) else { throw AccountError.notFound }
        logger.notice("role changed", metadata: ["user": "\(id.apiString)", "role": "\(newRole.rawValue)", "by": "\(actor.apiString)"])
        return account
    }

    private func required(
        _ update: FieldUpdate<String>, _ field: String, _ check: inout AccountValidation,
        _ validate: (inout AccountValidation, String) -> String?
    ) -> String? {
        switch update {
        case .absent: return nil
        case .null:
            check.fail(field, "This field may not be null.")
            return nil
        case .value(let text): return validate(&check, text)
        }
    }

    /// Runs password hashing, turning a saturated hasher into the service's 503-to-be.
    static func hashing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PasswordHashingError where error == .busy {
            throw AccountError.busy(retryAfterSeconds: 1)
        }
    }

    static func fieldError(_ duplicate: DuplicateAccountError) -> AccountError {
        switch duplicate.field {
        case .username: .validation("username", AccountValidation.duplicateUsername)
        case .email: .validation("email", AccountValidation.duplicateEmail)
        }
    }
}
