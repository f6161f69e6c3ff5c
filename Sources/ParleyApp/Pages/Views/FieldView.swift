/// One form field as a template shows it: its name (also the input's id), the value to put
/// back (never a password), and its error messages (`aria-invalid` and an error list when
/// there are some). Nothing here is optional, so a nested template never picks up another
/// field's value by Mustache's lookup up the context stack.
struct FieldView {
    let name: String
    let value: String
    let errors: [String]
    let hasErrors: Bool

    init(_ name: String, value: String? = nil, errors: [String: [String]] = [:]) {
        self.name = name
        self.value = value ?? ""
        self.errors = errors[name] ?? []
        self.hasErrors = !self.errors.isEmpty
    }
}

/// A message about the form as a whole ("Please enter a correct username and password.").
struct FormErrorView {
    let text: String
}
