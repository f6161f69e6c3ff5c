import CivilTime
import FoundationEssentials
import Glibc

/// Progress of a long command on standard error: on a terminal a bar redrawn in place (rows,
/// rows per second, and an ETA when the total size is known); otherwise one plain line every
/// few seconds, which reads well in a log. Off with `--quiet`.
final class ProgressLine {
    let noun: String
    let totalBytes: Int?
    let quiet: Bool
    let isTerminal: Bool
    let started = ContinuousClock.now
    private var lastDrawn: ContinuousClock.Instant?
    private var drewBar = false

    init(noun: String, totalBytes: Int?, quiet: Bool) {
        self.noun = noun
        self.totalBytes = totalBytes.flatMap { $0 > 0 ? $0 : nil }
        self.quiet = quiet
        self.isTerminal = isatty(STDERR_FILENO) == 1
    }

    func update(rows: Int, bytes: Int) {
        guard !quiet else { return }
        let now = ContinuousClock.now
        let interval: Duration = isTerminal ? .milliseconds(200) : .seconds(5)
        if let lastDrawn, now - lastDrawn < interval { return }
        if lastDrawn == nil, !isTerminal { lastDrawn = now; return }
        lastDrawn = now
        draw(rows: rows, bytes: bytes, now: now)
    }

    /// A step after the rows are counted ("checking 1000 rows"), after the last figures: on a
    /// terminal at the end of the bar's line, otherwise on a line of its own.
    func stage(_ text: String, rows: Int, bytes: Int) {
        guard !quiet else { return }
        if isTerminal {
            draw(rows: rows, bytes: bytes, now: .now, suffix: " · " + text + "…")
        } else if ContinuousClock.now - started >= .seconds(5) {
            StandardStreams.writeError(text + "…\n")
        }
    }

    /// Ends the bar's line, on a terminal.
    func finish() {
        guard !quiet, drewBar else { return }
        StandardStreams.writeError("\n")
    }

    /// The final figures, on a line of their own.
    func finish(rows: Int, bytes: Int) {
        // A quick run off a terminal needs no progress line at all.
        guard !quiet, isTerminal || lastDrawn.map({ ContinuousClock.now - $0 >= .seconds(1) }) ?? false || ContinuousClock.now - started >= .seconds(5) else { return }
        draw(rows: rows, bytes: bytes, now: .now)
        if drewBar { StandardStreams.writeError("\n") }
    }

    private func draw(rows: Int, bytes: Int, now: ContinuousClock.Instant, suffix: String = "") {
        let seconds = max(0.001, (now - started).seconds)
        let rate = Double(rows) / seconds
        var text = "\(rows) \(noun), \(Int(rate.rounded())) \(noun)/s"
        var fraction: Double?
        if let totalBytes {
            let done = min(1, Double(bytes) / Double(totalBytes))
            fraction = done
            if done > 0, done < 1 { text += ", ETA \(Self.clock(seconds * (1 - done) / done))" }
        }
        text += ", \(Self.clock(seconds)) elapsed"
        if isTerminal {
            var bar = ""
            if let fraction {
                let width = 30
                let filled = Int((fraction * Double(width)).rounded(.down))
                bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
                    + Self.rightAligned(Int((fraction * 100).rounded(.down)), width: 3) + "% "
            }
            StandardStreams.writeError("\r\u{1B}[K" + bar + text + suffix)
            drewBar = true
        } else {
            StandardStreams.writeError(text + suffix + "\n")
        }
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? "\(total / 3600):" + String(total / 60 % 60, zeroPaddedTo: 2) + ":" + String(total % 60, zeroPaddedTo: 2)
            : "\(total / 60):" + String(total % 60, zeroPaddedTo: 2)
    }

    /// `value` padded with spaces on the left to `width` characters (`%3d`).
    static func rightAligned(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return String(repeating: " ", count: max(0, width - digits.count)) + digits
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
