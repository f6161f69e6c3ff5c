/// A harness handed to the one thread that uses it from then on (so never used from two
/// threads at once, which is what its connection needs): the concurrency tests' requests.
struct HarnessOfOneThread: @unchecked Sendable {
    let harness: APIHarness
    let user: TestUser
}
