import FoundationEssentials

/// An access token whose signature checked out, while its user check (the account still
/// there, the refresh family not revoked) rides in the request's first read instead of a
/// round trip of its own (issue 12: a list is then one round trip, not two).
///
/// What keeps it safe: reads change nothing; the store runs the check alone before any write;
/// and ``AuthenticationMiddleware`` settles it before any answer leaves, so a refused token
/// gets its 401 and never what was read for it. Handlers whose first use of the user is to
/// key a read or a write by its id take ``AppContext/requireUserID()``;
/// ``AppContext/requireUser()`` settles the check first.
final class DeferredAuthentication {
    let userID: UUID
    private let family: UUID?
    private let accounts: any AccountRepository
    private unowned let context: AppContext
    /// Set when the check found no such user, or a revoked family.
    private var refusal: AuthenticationError?

    init(accounts: any AccountRepository, userID: UUID, family: UUID?, context: AppContext) {
        self.accounts = accounts
        self.userID = userID
        self.family = family
        self.context = context
    }

    /// Hands the check to the store, to go with the next read.
    func start() {
        accounts.deferAuthenticatedUser(id: userID, family: family) { [self] user in
            guard let user else {
                let refusal = family == nil ? AuthenticationError.userNotFound : AuthenticationError.invalidToken
                self.refusal = refusal
                throw refusal
            }
            context.user = user
        }
    }

    /// The verified user: from the read that carried the check, or from the check run now.
    /// Throws the 401 if it was refused.
    func settle() throws -> AuthenticatedUser {
        if context.user == nil, refusal == nil {
            try accounts.settleDeferredCheck()
            if context.user == nil, refusal == nil {
                // The pipeline that carried it failed before its answer came back: ask again, alone.
                start()
                try accounts.settleDeferredCheck()
            }
        }
        if let refusal { throw refusal }
        guard let user = context.user else { throw AuthenticationError.invalidToken }
        return user
    }

    /// The request is over: a check still pending must not ride with the thread's next request.
    func finish() {
        accounts.dropDeferredCheck()
    }
}
