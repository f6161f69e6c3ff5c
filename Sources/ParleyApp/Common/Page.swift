/// Which page of a list a caller asked for: 1-based `number`, `size` items per page.
/// Services take it and return a ``Page``; neither knows about HTTP.
struct PageRequest: Sendable, Equatable {
    var number: Int
    var size: Int

    init(number: Int = 1, size: Int) {
        precondition(number >= 1 && size >= 1, "pages are 1-based and hold at least one item")
        self.number = number
        self.size = size
    }

    var offset: Int { (number - 1) * size }

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

    var hasNext: Bool { request.offset + items.count < total }
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
