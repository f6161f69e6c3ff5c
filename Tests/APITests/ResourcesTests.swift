import Foundation
@testable import ParleyApp
import Postgres
import Testing

/// The files built into parley are the files of the source tree, byte for byte, so that
/// migrations keep their checksums and a reload serves the templates of the new binary.
@Suite("Resources built into the executable")
struct ResourcesTests {
    /// Sources/ParleyApp, from this file's path.
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/ParleyApp").path

    @Test("each embedded directory holds the files on disk", arguments: ["Migrations", "Templates", "Accounts/PasswordLists"])
    func sameFiles(_ name: String) throws {
        let embedded = ResourceDirectory.embedded(name)
        let disk = ResourceDirectory.disk(Self.sources + "/" + name)
        let files = try #require(embedded.files())
        #expect(!files.isEmpty)
        #expect(files == disk.files())
        for file in files {
            #expect(embedded.contents(of: file) == disk.contents(of: file), "\(name)/\(file)")
            #expect(embedded.isReadable(file))
        }
        #expect(embedded.contents(of: "no-such-file") == nil)
        #expect(!embedded.isReadable("no-such-file"))
    }

    @Test("migrations: the same versions, names and checksums as the files")
    func migrations() throws {
        let embedded = try ParleyMigrations.load()
        let disk = try ParleyMigrations.load(directory: Self.sources + "/Migrations")
        #expect(embedded.count == disk.count)
        #expect(embedded.map(\.checksum) == disk.map(\.checksum))
        #expect(embedded.map(\.fileName) == disk.map(\.fileName))
    }

    @Test("templates load from the binary and from a directory alike")
    func templates() throws {
        let embedded = try TemplateLibrary()
        let disk = try TemplateLibrary(directory: .disk(Self.sources + "/Templates"))
        #expect(embedded.names == disk.names)
        try embedded.require(Pages.templateNames)
    }
}
