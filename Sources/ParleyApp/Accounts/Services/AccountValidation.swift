import FoundationEssentials
import Web

/// Field rules and messages, as Django and DRF word them. Each function returns the normalised
/// value, or records its messages in `errors` under the field's name and returns nil.
struct AccountValidation {
    var errors: [String: [String]] = [:]
    let passwordPolicy: PasswordPolicy
    let maxPasswordBytes: Int

    init(configuration: AuthConfiguration) {
        passwordPolicy = PasswordPolicy(minimumLength: configuration.passwordMinimumLength, commonPasswords: configuration.commonPasswords)
        maxPasswordBytes = configuration.maxPasswordBytes
    }

    static let required = "This field is required."
    static let blank = "This field may not be blank."
    static let nullCharacters = "Null characters are not allowed."
    static let invalidUsername = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
    static let invalidEmail = "Enter a valid email address."
    static let invalidPhone = "Enter a valid phone number."
    static let duplicateUsername = "A user with that username already exists."
    static let duplicateEmail = "A user with that email already exists."
    static func tooLong(_ limit: Int) -> String { "Ensure this field has no more than \(limit) characters." }

    mutating func fail(_ field: String, _ message: String) {
        errors[field, default: []].append(message)
    }

    /// Django's `UnicodeUsernameValidator` (`^[\w.@+-]+\Z`), after NFKC like
    /// `AbstractBaseUser.normalize_username`; at most 150 characters.
    mutating func username(_ value: String?, field: String = "username") -> String? {
        guard let text = text(value, field: field, allowBlank: false, maxLength: 150) else { return nil }
        let normalized = text.nfkcNormalized
        guard normalized.count <= 150 else { fail(field, Self.tooLong(150)); return nil }
        guard normalized.unicodeScalars.allSatisfy(Self.isUsernameScalar) else {
            fail(field, Self.invalidUsername)
            return nil
        }
        return normalized
    }

    /// A practical subset of Django's `EmailValidator`: an unquoted ASCII local part and a domain
    /// of letter/digit/hyphen labels (international letters allowed) with a top-level label of
    /// two or more letters, or `localhost`. The domain is lowercased, as `normalize_email` does.
    mutating func email(_ value: String?, field: String = "email") -> String? {
        guard let text = text(value, field: field, allowBlank: false, maxLength: 254) else { return nil }
        guard let at = text.lastIndex(of: "@") else { fail(field, Self.invalidEmail); return nil }
        let local = text[..<at]
        let domain = text[text.index(after: at)...].lowercased()
        guard Self.isValidLocalPart(local), Self.isValidDomain(domain) else {
            fail(field, Self.invalidEmail)
            return nil
        }
        return local + "@" + domain
    }

    /// At most `maxPasswordBytes` bytes of UTF-8 after NFKC, and then Django's validators
    /// (``PasswordPolicy``), every failing one reported. Never trimmed.
    mutating func password(_ value: String?, field: String = "password", attributes: PasswordPolicy.Attributes) -> String? {
        guard let value else { fail(field, Self.required); return nil }
        guard !value.isEmpty else { fail(field, Self.blank); return nil }
        guard !value.unicodeScalars.contains("\u{0}") else { fail(field, Self.nullCharacters); return nil }
        guard PasswordHasher.normalized(value).count <= maxPasswordBytes else {
            fail(field, "Ensure this password has no more than \(maxPasswordBytes) bytes.")
            return nil
        }
        let problems = passwordPolicy.problems(value, attributes: attributes)
        guard problems.isEmpty else {
            for problem in problems { fail(field, problem) }
            return nil
        }
        return value
    }

    /// First and last names: trimmed, at most 150 characters.
    mutating func name(_ value: String?, field: String, allowBlank: Bool) -> String? {
        text(value, field: field, allowBlank: allowBlank, maxLength: 150)
    }

    /// Optional: null, missing or blank means none. Digits with the usual separators, an
    /// optional leading `+`, 4 to 20 digits, at most 32 characters.
    mutating func phoneNumber(_ value: String?, field: String = "phone_number") -> String?? {
        guard let value else { return .some(nil) }
        let trimmed = value.trimmingWhitespaceAndNewlines()
        if trimmed.isEmpty { return .some(nil) }
        guard !trimmed.unicodeScalars.contains("\u{0}") else { fail(field, Self.nullCharacters); return nil }
        guard trimmed.count <= 32 else { fail(field, Self.tooLong(32)); return nil }
        let body = trimmed.hasPrefix("+") ? trimmed.dropFirst() : trimmed[...]
        let digits = body.filter(\.isASCIIDigit).count
        guard body.allSatisfy({ $0.isASCIIDigit || " -.()".contains($0) }), (4...20).contains(digits) else {
            fail(field, Self.invalidPhone)
            return nil
        }
        return .some(trimmed)
    }

    /// DRF's `CharField`: present, trimmed, not blank unless allowed, no NUL, length capped.
    private mutating func text(_ value: String?, field: String, allowBlank: Bool, maxLength: Int) -> String? {
        guard let value else { fail(field, Self.required); return nil }
        guard !value.unicodeScalars.contains("\u{0}") else { fail(field, Self.nullCharacters); return nil }
        let trimmed = value.trimmingWhitespaceAndNewlines()
        if trimmed.isEmpty, !allowBlank { fail(field, Self.blank); return nil }
        guard trimmed.count <= maxLength else { fail(field, Self.tooLong(maxLength)); return nil }
        return trimmed
    }

    static func isUsernameScalar(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil || "@.+-_".unicodeScalars.contains(scalar)
    }

    private static let localPartSymbols = Set("!#$%&'*+/=?^_`{|}~-".unicodeScalars)

    private static func isValidLocalPart(_ local: Substring) -> Bool {
        guard !local.isEmpty, local.utf8.count <= 64, !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            return false
        }
        return local.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || localPartSymbols.contains(scalar))
        }
    }

    private static func isValidDomain(_ domain: String) -> Bool {
        if domain == "localhost" { return true }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.utf8.count <= 253 else { return false }
        for label in labels {
            guard !label.isEmpty, label.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                  label.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" })
            else { return false }
        }
        let top = labels.last!
        return top.count >= 2 && top.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0 == "-" || ("0"..."9").contains($0) }
            && !top.allSatisfy(\.isASCIIDigit)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
