/// Which page of a list a caller asked for: 1-based `number`, `size` items per page.
/// Services take it and return a ``Page``; neither knows about HTTP.
///
/// The fields are constants and `offset` is computed once, with checked arithmetic, so a
/// value of this type always has an offset that fits in an `Int`: page numbers come from
/// clients (`?page=9223372036854775807`), and `(number - 1) * size` must not trap.
struct PageRequest: Sendable, Equatable {
    let number: Int
    let size: Int
    /// How many items come before this page: `(number - 1) * size`.
    let offset: Int

    /// A page chosen by the code itself (page 1, a fixed size). A page number read from a
    /// request goes through ``init(validating:size:)`` instead, which cannot trap.
    init(number: Int = 1, size: Int) {
        guard let request = PageRequest(validating: number, size: size) else {
            preconditionFailure("pages are 1-based, hold at least one item, and start at an offset that fits in an Int")
        }
        self = request
    }

    /// Nil when `number` or `size` is below 1, or when the page's offset does not fit in an
    /// `Int` (such a page cannot exist: callers answer it as a page past the end).
    init?(validating number: Int, size: Int) {
        guard number >= 1, size >= 1 else { return nil }
        let (offset, overflow) = (number - 1).multipliedReportingOverflow(by: size)
        guard !overflow else { return nil }
        self.number = number
        self.size = size
        self.offset = offset
    }

    /// DRF's rule: page 1 always exists (empty when the list is); any other page must start
    /// inside the list.
    func exists(total: Int) -> Bool {
        number == 1 || offset < total
    }
}

/// One page of a list, with the list's total length.
struct Page<Item> {
    var items: [Item]
    var total: Int
    var request: PageRequest

    var hasNext: Bool {
        let (end, overflow) = request.offset.addingReportingOverflow(items.count)
        return !overflow && end < total
    }
    var hasPrevious: Bool { request.number > 1 }

    func map<Other>(_ transform: (Item) throws -> Other) rethrows -> Page<Other> {
        Page<Other>(items: try items.map(transform), total: total, request: request)
    }
}

extension Page: Sendable where Item: Sendable {}
extension Page: Equatable where Item: Equatable {}

/// A page of a keyset (cursor) walk: the items, and whether there are more on either side.
/// No total: counting would read the whole list, which is what the cursor avoids.
struct CursorPage<Item> {
    var items: [Item]
    var hasNext: Bool
    var hasPrevious: Bool

    func map<Other>(_ transform: (Item) throws -> Other) rethrows -> CursorPage<Other> {
        CursorPage<Other>(items: try items.map(transform), hasNext: hasNext, hasPrevious: hasPrevious)
    }
}

extension CursorPage: Sendable where Item: Sendable {}
extension CursorPage: Equatable where Item: Equatable {}
