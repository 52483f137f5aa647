import Foundation

/// Progress of a long command on standard error: one line redrawn in place on a terminal (rows, rate), plain lines
/// every ten seconds otherwise, so a log file gets a few lines and no control characters.
final class ProgressLine: @unchecked Sendable {
    private let started = ContinuousClock.now
    private var lastPlain = ContinuousClock.now
    private let terminal = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()

    func show(_ rows: Int) {
        lock.lock()
        defer { lock.unlock() }
        let elapsed = ContinuousClock.now - started
        let seconds = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 0.001)
        let text = "\(rows) rows, \(Int(Double(rows) / seconds)) rows/s"
        if terminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        } else if ContinuousClock.now - lastPlain >= .seconds(10) {
            lastPlain = ContinuousClock.now
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
