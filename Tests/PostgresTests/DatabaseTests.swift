import ParleyTesting
import Testing

/// Every test that talks to PostgreSQL lives in a suite nested in this one, so they run one at
/// a time: the restart test would otherwise break the others' connections.
@Suite("PostgreSQL integration", .serialized, .enabled(if: TestEnvironment.hasDatabase, "PARLEY_TEST_DATABASE_URL is not set"))
struct DatabaseTests {}
