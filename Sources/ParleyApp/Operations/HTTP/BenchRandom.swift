import FoundationEssentials
import Glibc
import Synchronization

/// wyrand, seeded per request from a process-wide counter and the clock (no system call: the
/// C reference draws with no system call either). For benchmark data only, never for secrets.
struct BenchRandom {
    private static let counter = Atomic<UInt64>(0)
    private var state: UInt64

    init() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let count = Self.counter.add(1, ordering: .relaxed).newValue
        state = count &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: now.tv_nsec) ^ UInt64(truncatingIfNeeded: now.tv_sec) << 32
    }

    mutating func next() -> UInt64 {
        state &+= 0xA076_1D64_78BD_642F
        let product = state.multipliedFullWidth(by: state ^ 0xE703_7ED1_A0B4_28DB)
        return product.high ^ product.low
    }

    /// 1…10,000.
    mutating func worldID() -> Int32 {
        Int32(truncatingIfNeeded: next() % 10_000) + 1
    }
}
