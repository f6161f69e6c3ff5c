import FoundationEssentials
import CLibPQ
import Glibc
import Synchronization

/// Owns `PGresult`s and frees them in `deinit`: one statement's, or every result of a
/// pipeline (one object for the whole pipeline instead of one per statement; the results then
/// live as long as any of them is referenced).
///
/// `@unchecked Sendable`: a PGresult is never modified after libpq hands it over, and libpq
/// documents results as safe to read from any thread; the pipeline's slots are filled before
/// the owner is shared, and the name indexes built on first use are behind a mutex.
@usableFromInline
final class PostgresResultOwner: @unchecked Sendable {
    private let single: OpaquePointer?
    private let slots: UnsafeMutableBufferPointer<OpaquePointer?>

    /// Each result's name index (see `PostgresResult.NameIndex`), built on first use.
    fileprivate let nameIndexes = Mutex<[OpaquePointer: PostgresResult.NameIndex]>([:])

    init(_ pointer: OpaquePointer) {
        self.single = pointer
        self.slots = UnsafeMutableBufferPointer(start: nil, count: 0)
    }

    /// For a pipeline: `capacity` empty slots, filled by `adopt` before the owner is shared.
    init(capacity: Int) {
        self.single = nil
        self.slots = .allocate(capacity: capacity)
        self.slots.initialize(repeating: nil)
    }

    /// Takes ownership of a pipeline's result (slot `index`, empty until then).
    func adopt(_ pointer: OpaquePointer, at index: Int) {
        precondition(self.slots[index] == nil, "result slot already filled")
        self.slots[index] = pointer
    }

    deinit {
        if let single = self.single { PQclear(single) }
        for pointer in self.slots { if let pointer { PQclear(pointer) } }
        self.slots.deallocate()
    }
}

/// One `PGresult`, kept alive by its owner (copied freely: a reference and three words).
@usableFromInline
struct PostgresResult: @unchecked Sendable {
    @usableFromInline let owner: PostgresResultOwner
    @usableFromInline let pointer: OpaquePointer
    @usableFromInline let rowCount: Int
    @usableFromInline let columnCount: Int

    /// Column name → first column of that name, and Decodable property name → column (the
    /// name itself, else its snake_case form; -1 when neither), built on first use: decoding
    /// rows by name scanned every column's `PQfname` per field per row, then snake-cased every
    /// key of every row again. (A single column asked by name is found by a scan instead.)
    fileprivate struct NameIndex {
        var columns: [String: Int] = [:]
        var properties: [String: Int] = [:]
    }

    /// A result with its own owner.
    init(_ pointer: OpaquePointer) {
        self.init(pointer, owner: PostgresResultOwner(pointer))
    }

    /// A result `owner` already holds.
    init(_ pointer: OpaquePointer, owner: PostgresResultOwner) {
        self.owner = owner
        self.pointer = pointer
        self.rowCount = Int(PQntuples(pointer))
        self.columnCount = Int(PQnfields(pointer))
    }

    /// Runs `body` on this result's name index, built on first use.
    private func withNameIndex<R>(_ body: (inout NameIndex) -> R) -> R {
        self.owner.nameIndexes.withLock { all in
            if all[self.pointer] == nil { all[self.pointer] = self.makeNameIndex() }
            return body(&all[self.pointer]!)
        }
    }

    /// Exact, case-sensitive match on the column name (unlike `PQfnumber`, which folds case):
    /// the first column of that name. A scan of the names, not the name index: a statement
    /// has a few dozen columns at most, and building the index for one lookup (a count read
    /// from the first row) cost more than the scan (bench/README.md, "A column found by name").
    func columnIndex(named name: String) -> Int? {
        var name = name
        return name.withUTF8 { wanted in
            for column in 0..<columnCount {
                guard let field = PQfname(pointer, Int32(column)), strlen(field) == wanted.count else { continue }
                if wanted.isEmpty || memcmp(field, wanted.baseAddress!, wanted.count) == 0 { return column }
            }
            return nil
        }
    }

    /// The column a Decodable property reads: `name`, else `snake_case(name)`.
    func columnIndex(forProperty name: String) -> Int? {
        self.withNameIndex { index in
            if let known = index.properties[name] { return known >= 0 ? known : nil }
            var found = index.columns[name]
            if found == nil {
                let snake = PostgresRow.snakeCased(name)
                if snake != name { found = index.columns[snake] }
            }
            index.properties[name] = found ?? -1
            return found
        }
    }

    private func makeNameIndex() -> NameIndex {
        var index = NameIndex()
        index.columns.reserveCapacity(columnCount)
        for column in 0..<columnCount where PQfname(pointer, Int32(column)) != nil {
            let name = columnName(column)
            if index.columns[name] == nil { index.columns[name] = column }
        }
        return index
    }

    func columnName(_ index: Int) -> String {
        PQfname(self.pointer, Int32(index)).map { String(cString: $0) } ?? "?column?"
    }

    @inlinable
    func columnType(_ index: Int) -> PostgresDataType {
        PostgresDataType(PQftype(self.pointer, Int32(index)))
    }

    func isNull(row: Int, column: Int) -> Bool {
        PQgetisnull(self.pointer, Int32(row), Int32(column)) == 1
    }

    /// The bytes of one value, `nil` for NULL. They live as long as this result: only use them
    /// while holding a reference to it.
    @inlinable
    func unsafeValue(row: Int, column: Int) -> UnsafeRawBufferPointer? {
        // PQgetlength is 0 for NULL: only an empty value needs the NULL check.
        let length = Int(PQgetlength(self.pointer, Int32(row), Int32(column)))
        if length == 0 && PQgetisnull(self.pointer, Int32(row), Int32(column)) == 1 { return nil }
        return UnsafeRawBufferPointer(start: PQgetvalue(self.pointer, Int32(row), Int32(column)), count: length)
    }

    /// Lends the bytes of one value (`nil` for NULL) for the duration of `body`.
    func withValue<R>(row: Int, column: Int, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        try withExtendedLifetime(self.owner) {
            let length = Int(PQgetlength(self.pointer, Int32(row), Int32(column)))
            if length == 0 && self.isNull(row: row, column: column) { return try body(nil) }
            let value = PQgetvalue(self.pointer, Int32(row), Int32(column))
            return try body(UnsafeRawBufferPointer(start: value, count: length))
        }
    }

    /// Rows affected by INSERT/UPDATE/DELETE/SELECT/MOVE/FETCH/COPY, 0 for other commands.
    var affectedRows: Int {
        PQcmdTuples(self.pointer).flatMap { Int(String(cString: $0)) } ?? 0
    }

    /// The command tag, for example `INSERT 0 1` or `ROLLBACK`.
    var commandTag: String {
        PQcmdStatus(self.pointer).map { String(cString: $0) } ?? ""
    }
}
