import ArgumentParser

/// The `parley` command line. `Sources/parley` runs it; a test server runs it with routes of
/// its own (``Serve/extraRoutes``).
public struct Parley: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "parley",
        abstract: "Parley: a messaging app and the Swift FastCGI server it runs on.",
        discussion: """
            Run `parley serve` behind nginx (FastCGI over a unix socket), after `parley migrate`.
            Every option can also be set in the environment (shown in each option's help);
            the database is DATABASE_URL, a libpq connection URI or keyword string.

            Exit status: 0 done; 1 refused or failed (the message says what and where: \
            file, line, field); 64 the command line is wrong (unknown option, bad value).
            `parley COMMAND --help` shows each command's options and an example.
            """,
        subcommands: [Serve.self, Status.self, Migrate.self, CreateUser.self, SetPassword.self, Seed.self, ImportUsers.self, Export.self, Stats.self]
    )

    public init() {}
}
