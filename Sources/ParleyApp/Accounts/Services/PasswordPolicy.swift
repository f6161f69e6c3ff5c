import FoundationEssentials

/// Django's four default password validators, in the order a new Django project lists them:
/// similarity to the user's attributes, minimum length, common passwords, all digits. Every
/// failing rule contributes its message, as `validate_password` collects them.
struct PasswordPolicy: Sendable {
    var minimumLength: Int
    var commonPasswords: CommonPasswordList
    /// Django's `max_similarity` (0.7): a `quick_ratio` at or above it is too similar.
    var maxSimilarity = 0.7

    /// What the similarity rule compares with: the account's (or the sign-up's) values.
    struct Attributes {
        var username: String?
        var firstName: String?
        var lastName: String?
        var email: String?

        /// Django's `DEFAULT_USER_ATTRIBUTES`, each with its field's verbose name.
        var named: [(name: String, value: String?)] {
            [("username", username), ("first name", firstName), ("last name", lastName), ("email address", email)]
        }
    }

    /// The messages of every rule `password` breaks; empty when it passes.
    func problems(_ password: String, attributes: Attributes) -> [String] {
        var problems: [String] = []
        if let similar = similarAttribute(password, attributes) {
            problems.append("The password is too similar to the \(similar).")
        }
        if password.unicodeScalars.count < minimumLength {
            let unit = minimumLength == 1 ? "character" : "characters"
            problems.append("This password is too short. It must contain at least \(minimumLength) \(unit).")
        }
        if commonPasswords.contains(password) {
            problems.append("This password is too common.")
        }
        if !password.isEmpty, password.unicodeScalars.allSatisfy({ [.decimal, .digit].contains($0.properties.numericType) }) {
            problems.append("This password is entirely numeric.")
        }
        return problems
    }

    /// `UserAttributeSimilarityValidator`: the verbose name of the first attribute that the
    /// password, or any of its word-separated parts, resembles.
    private func similarAttribute(_ password: String, _ attributes: Attributes) -> String? {
        let password = Array(password.lowercased().unicodeScalars)
        for (name, value) in attributes.named {
            guard let value, !value.isEmpty else { continue }
            let lowered = value.lowercased()
            for part in Self.wordParts(lowered) + [Array(lowered.unicodeScalars)] {
                if exceedsMaximumLengthRatio(password.count, part.count) { continue }
                if Self.quickRatio(password, part) >= maxSimilarity { return name }
            }
        }
        return nil
    }

    /// Django skips a part much shorter than the password: it cannot reach the ratio.
    private func exceedsMaximumLengthRatio(_ passwordLength: Int, _ valueLength: Int) -> Bool {
        passwordLength >= 10 * valueLength && Double(valueLength) < maxSimilarity / 2 * Double(passwordLength)
    }

    /// Python's `re.split(r"\W+", value)`: runs of letters, digits and underscores.
    static func wordParts(_ value: String) -> [[Unicode.Scalar]] {
        var parts: [[Unicode.Scalar]] = [[]]
        for scalar in value.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_" {
                parts[parts.count - 1].append(scalar)
            } else if !parts[parts.count - 1].isEmpty {
                parts.append([])
            }
        }
        return parts.filter { !$0.isEmpty }
    }

    /// `difflib.SequenceMatcher(a:, b:).quick_ratio()`: twice the size of the multiset
    /// intersection of the two sequences' elements, over their total length.
    static func quickRatio(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Double {
        let length = a.count + b.count
        guard length > 0 else { return 1 }
        var available: [Unicode.Scalar: Int] = [:]
        for scalar in b { available[scalar, default: 0] += 1 }
        var matches = 0
        for scalar in a {
            if let count = available[scalar], count > 0 {
                available[scalar] = count - 1
                matches += 1
            }
        }
        return 2 * Double(matches) / Double(length)
    }
}

extension PasswordPolicy.Attributes {
    init(_ account: Account) {
        self.init(username: account.username, firstName: account.firstName, lastName: account.lastName, email: account.email)
    }
}
