import FoundationEssentials
import Web

/// Bearer-token authentication for `/api/`: a valid access token puts its user in the context;
/// no header leaves the request anonymous (routes that need a user call `requireUser()`);
/// a header that is present but wrong is a 401, as DRF answers it.
///
/// The user is loaded by id on every request (a primary-key lookup), so a deleted account's
/// tokens stop working at once; so do access tokens of a refresh family that was revoked
/// (log-out, or a refresh token reused). That lookup rides with the handler's first read
/// (``DeferredAuthentication``).
struct AuthenticationMiddleware: Middleware {
    let services: AppServices

    func handle(_ request: Request, context: AppContext, next: Responder<AppContext>) throws -> Response {
        // The live subscription check authenticates itself, in its one query.
        guard request.path.hasPrefix("/api/"), request.path != LiveController.authorizePath,
              let header = request.headers["Authorization"]
        else {
            return try next(request, context)
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw AuthenticationError.invalidHeader
        }
        let claims: JWTClaims
        do {
            // (Not Foundation's trimmingCharacters(in:): it goes through NSString and UTF-16,
            // on every API request.)
            claims = try services.verifiedTokens.claims(of: parts[1].trimmingSpaces()) { try services.signer.verify($0) }
        } catch {
            throw AuthenticationError.invalidToken
        }
        guard claims.tokenType == .access else { throw AuthenticationError.invalidToken }
        let family = claims.family.flatMap({ UUID(apiString: $0) })
        // The user check goes with the handler's first read, and is settled before the answer
        // (or the handler's error) leaves, so a refused token only ever gets its 401.
        let deferred = services.deferredAuthentication(context, id: claims.userID, family: family)
        context.deferredAuthentication = deferred
        deferred.start()
        defer { deferred.finish() }
        let response: Response
        do {
            response = try next(request, context)
        } catch {
            _ = try deferred.settle()
            throw error
        }
        _ = try deferred.settle()
        return response
    }
}
