import Foundation
import RedlineCore

/// A progress line on stderr — count, rate, ETA — only when stderr is a terminal.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private var shown = false

    init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func show(_ progress: CheckProgress) {
        guard enabled, progress.elapsed > 0 else { return }
        let rate = Double(progress.patchesChecked) / progress.elapsed
        var line = "checked \(progress.patchesChecked)"
        if let total = progress.expectedTotal, total > 0 {
            line += " of \(total) patches"
            if rate > 0 {
                let remaining = Int(Double(max(0, total - progress.patchesChecked)) / rate)
                line += String(format: ", ETA %d:%02d", remaining / 60, remaining % 60)
            }
        } else {
            line += " patches"
        }
        line += String(format: " (%.0f/s), %d clues", rate, progress.clues)
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        shown = true
    }

    func clear() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}
