// swift-tools-version:6.1
// Parley: a FastCGI application server and messaging app.
// The module list is the architecture: C shims → FastCGI / Postgres / Web → WebFastCGI adapter →
// ParleyApp (controllers → services → repositories) → the `parley` executable that wires them.
import PackageDescription

let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "parley",
    products: [
        .executable(name: "parley", targets: ["parley"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries, reached through pkg-config (Debian's libfcgi-dev and libpq-dev).
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // libsodium: argon2id password hashing, HMAC-SHA256 for JWTs, SHA-256, secure random bytes.
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        // utf8proc: Unicode NFKC for user names and passwords (Foundation's
        // precomposedStringWithCompatibilityMapping, without Foundation).
        // (No pkgConfig: its .pc file adds -DUTF8PROC_EXPORTS, which SwiftPM warns about on every build.)
        .systemLibrary(name: "CUTF8Proc", providers: [.apt(["libutf8proc-dev"])]),

        // The libfcgi responder: sockets, worker threads, signals. Knows nothing of HTTP routing.
        .target(name: "FastCGI", dependencies: ["CFastCGI", logging]),
        // The master process: worker processes (posix_spawn), crash replacement, deadlines,
        // recycling, hitless reload, systemd notifications. Serves no request itself.
        .target(name: "Supervisor", dependencies: ["FastCGI", "CFastCGI", logging]),
        // Calendar arithmetic, IANA zones and number formatting without Foundation (parley links
        // FoundationEssentials only), shared by Web (JSON timestamps), Postgres (timestamps as
        // text), which do not depend on each other, and the app.
        .target(name: "CivilTime"),
        // The libpq client: connections, typed queries, transactions, migrations.
        .target(name: "Postgres", dependencies: ["CLibPQ", "CivilTime", logging]),
        // The Postgres layer's benchmark against libpq in C (bench/pq/run.sh).
        .executableTarget(name: "PostgresBench", dependencies: ["Postgres", logging], path: "Sources/PostgresBench"),
        // Mustache templates compiled once and rendered into bytes, without reflection for types
        // that describe themselves (MustacheObject); the pages and the fortunes bench use it.
        .target(name: "Mustache", dependencies: ["Bytes"]),
        // A growable byte buffer without Array's uniqueness checks: response heads, JSON and templates.
        .target(name: "Bytes"),
        // The transport-free HTTP core: request, response, router, middleware, JSON, forms.
        .target(name: "Web", dependencies: ["Bytes", "CivilTime", logging]),
        // Turns a FastCGI request into a Web request and a Web response into FastCGI output.
        .target(name: "WebFastCGI", dependencies: ["Web", "FastCGI", logging]),
        // The application: controllers → services → repositories. Its migrations, templates and
        // password lists are built into the executable (EmbedResources), not copied beside it:
        // SwiftPM's resource bundles need Foundation's Bundle. FastCGI: the live publisher's thread.
        .target(
            name: "ParleyApp",
            dependencies: ["Web", "Postgres", "CivilTime", "FastCGI", "CSodium", "CUTF8Proc", "Mustache", logging],
            exclude: ["Migrations", "Templates", "Accounts/PasswordLists"],
            plugins: ["EmbedResources"]
        ),
        // Writes one Swift file that holds those files' relative paths and contents.
        .executableTarget(name: "EmbedResourcesTool"),
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["EmbedResourcesTool"]),
        // The command line; the composition root.
        .executableTarget(
            name: "parley",
            dependencies: ["ParleyCommands"]
        ),
        // The commands (`serve`, `migrate`, `status`, …) as a library, so that a test server can
        // run the same `serve` with routes of its own.
        .target(
            name: "ParleyCommands",
            dependencies: ["ParleyApp", "WebFastCGI", "FastCGI", "CFastCGI", "Supervisor", "Postgres", "Web", "CivilTime", argumentParser, logging]
        ),
        // `parley` plus routes that exist only in tests (a sleep in PostgreSQL, a busy loop, a
        // crash), for the deadline and crash-isolation tests.
        .executableTarget(name: "ParleyTestServer", dependencies: ["ParleyCommands", "ParleyApp", "Web"], path: "Tests/ParleyTestServer"),

        // Test helpers: the environment `make test` provides, a FastCGI client, child processes.
        .target(name: "ParleyTesting", dependencies: ["Web", "FastCGI"], path: "Tests/ParleyTesting"),
        .testTarget(name: "WebTests", dependencies: ["Web", "WebFastCGI", "ParleyApp", "ParleyTesting"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "ParleyTesting"]),
        .testTarget(name: "MustacheTests", dependencies: ["Mustache"]),
        .testTarget(name: "CivilTimeTests", dependencies: ["CivilTime"]),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI", "Web", "WebFastCGI", "ParleyTesting"]),
        .testTarget(name: "EndToEndTests", dependencies: ["ParleyTesting"]),
        // The application in process (APIHarness), a browser without JavaScript (PageBrowser), and
        // the helpers the API and page suites share.
        .target(name: "ParleyAppTesting", dependencies: ["ParleyApp", "Postgres", "Web", "ParleyTesting", logging], path: "Tests/ParleyAppTesting"),
        // How the executable reads its settings (the environment mapped into the modules' configurations).
        .testTarget(name: "ParleyCommandsTests", dependencies: ["ParleyCommands", "Postgres"]),
        // The JSON API through the in-process application, against the real PostgreSQL.
        .testTarget(name: "APITests", dependencies: ["ParleyApp", "Postgres", "Web", "CivilTime", "ParleyTesting", "ParleyAppTesting"]),
        // The server-rendered pages, the same way: forms, sessions, CSRF, rendering.
        .testTarget(name: "PageTests", dependencies: ["ParleyApp", "Postgres", "Web", "ParleyTesting", "ParleyAppTesting"]),
    ]
)

// Release builds are optimised with a profile of the bench's routes, recorded by `make pgo`
// (docs/decisions/0021-profile-guided-release-builds.md): the fortunes path runs a fifth faster.
// `make pgo` sets PARLEY_PGO=generate for the instrumented build that records a new profile.
// The resource embedder runs during the build, so it is left alone.
let pgoSwift: [String]
let pgoLink: [String]
if Context.environment["PARLEY_PGO"] == "generate" {
    pgoSwift = ["-Xfrontend", "-ir-profile-generate"]
    pgoLink = ["-profile-generate"]  // links LLVM's profile runtime
} else {
    // Without incremental LLVM code generation: it keeps an object whose IR before optimisation
    // is unchanged, so a build that had no profile before would keep building without one.
    pgoSwift = [
        "-Xfrontend", "-ir-profile-use=\(Context.packageDirectory)/pgo/parley.profdata",
        "-Xfrontend", "-disable-incremental-llvm-codegen",
    ]
    pgoLink = []
}
for target in package.targets where [.regular, .executable].contains(target.type) && target.name != "EmbedResourcesTool" {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(pgoSwift, .when(configuration: .release))]
    if target.type == .executable, !pgoLink.isEmpty {
        target.linkerSettings = (target.linkerSettings ?? []) + [.unsafeFlags(pgoLink, .when(configuration: .release))]
    }
}
