import FastCGI
import Testing

/// The master and the watchdog read a worker thread's slot while that thread writes it.
@Suite("Worker slot clocks")
struct WorkerSlotTests {
    @Test("a request that began after the reader's clock has run for zero, idle is zero, a running one counts up")
    func runningTime() throws {
        let board = try Scoreboard.create(layout: Scoreboard.Layout(processes: 1, threads: 1, routes: 1))
        let slot = board.process(0).threads[0]
        let before = monotonicNanoseconds()
        #expect(slot.runningNanoseconds(at: before) == 0)
        slot.begin()
        // The master read its clock before the thread began: no underflow (this trapped the master).
        #expect(slot.runningNanoseconds(at: before) == 0)
        let later = slot.startedNanoseconds + 5_000_000
        #expect(slot.runningNanoseconds(at: later) == 5_000_000)
        slot.end(served: true)
        #expect(slot.runningNanoseconds(at: later) == 0)
    }
}
