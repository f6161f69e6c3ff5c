// Fixed-arity tuple decoding, generated for 2…6 columns. The variadic `decode((repeat each T).Type)`
// handles any arity, but a pack expansion is not specialized at the call site: these overloads
// (preferred by the compiler when they match) compile to direct decoders for the hot path.

extension PostgresRow {
    @inlinable
    public func decode<T0: PostgresDecodable, T1: PostgresDecodable>(_ types: (T0, T1).Type) throws -> (T0, T1) {
        guard self.result.columnCount == 2 else { throw self.columnCountError(2, for: types) }
        return (
            try self.decodeValue(T0.self, at: 0),
            try self.decodeValue(T1.self, at: 1))
    }

    @inlinable
    public func decode<T0: PostgresDecodable, T1: PostgresDecodable, T2: PostgresDecodable>(_ types: (T0, T1, T2).Type) throws -> (T0, T1, T2) {
        guard self.result.columnCount == 3 else { throw self.columnCountError(3, for: types) }
        return (
            try self.decodeValue(T0.self, at: 0),
            try self.decodeValue(T1.self, at: 1),
            try self.decodeValue(T2.self, at: 2))
    }

    @inlinable
    public func decode<T0: PostgresDecodable, T1: PostgresDecodable, T2: PostgresDecodable, T3: PostgresDecodable>(_ types: (T0, T1, T2, T3).Type) throws -> (T0, T1, T2, T3) {
        guard self.result.columnCount == 4 else { throw self.columnCountError(4, for: types) }
        return (
            try self.decodeValue(T0.self, at: 0),
            try self.decodeValue(T1.self, at: 1),
            try self.decodeValue(T2.self, at: 2),
            try self.decodeValue(T3.self, at: 3))
    }

    @inlinable
    public func decode<T0: PostgresDecodable, T1: PostgresDecodable, T2: PostgresDecodable, T3: PostgresDecodable, T4: PostgresDecodable>(_ types: (T0, T1, T2, T3, T4).Type) throws -> (T0, T1, T2, T3, T4) {
        guard self.result.columnCount == 5 else { throw self.columnCountError(5, for: types) }
        return (
            try self.decodeValue(T0.self, at: 0),
            try self.decodeValue(T1.self, at: 1),
            try self.decodeValue(T2.self, at: 2),
            try self.decodeValue(T3.self, at: 3),
            try self.decodeValue(T4.self, at: 4))
    }

    @inlinable
    public func decode<T0: PostgresDecodable, T1: PostgresDecodable, T2: PostgresDecodable, T3: PostgresDecodable, T4: PostgresDecodable, T5: PostgresDecodable>(_ types: (T0, T1, T2, T3, T4, T5).Type) throws -> (T0, T1, T2, T3, T4, T5) {
        guard self.result.columnCount == 6 else { throw self.columnCountError(6, for: types) }
        return (
            try self.decodeValue(T0.self, at: 0),
            try self.decodeValue(T1.self, at: 1),
            try self.decodeValue(T2.self, at: 2),
            try self.decodeValue(T3.self, at: 3),
            try self.decodeValue(T4.self, at: 4),
            try self.decodeValue(T5.self, at: 5))
    }

}
