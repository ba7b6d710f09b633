import ArgumentParser
import Foundation
import RedlineCore

/// How progress is shown on stderr: a line rewritten in place on a terminal (`auto`), or one
/// plain line per percent for a program driving redline (`lines`: `progress: N of M patches, C
/// clues`, as the QGIS provider reads it).
enum ProgressStyle: String, CaseIterable, ExpressibleByArgument {
    case auto, lines, off
}

/// Progress on stderr — count, rate, ETA — in the style asked for.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lines: Bool
    private var shown = false
    private var lastShare = -1

    init(enabled: Bool, style: ProgressStyle = .auto) {
        lines = enabled && style == .lines
        self.enabled = lines || (enabled && style == .auto && isatty(STDERR_FILENO) == 1)
    }

    func show(_ progress: CheckProgress) {
        guard enabled, progress.elapsed > 0 else { return }
        if lines {
            let total = progress.expectedTotal ?? 0
            let share = total > 0 ? progress.patchesChecked * 100 / total : progress.patchesChecked / 1000
            guard share != lastShare else { return }
            lastShare = share
            let of = total > 0 ? " of \(total)" : ""
            FileHandle.standardError.write(Data("progress: \(progress.patchesChecked)\(of) patches, \(progress.clues) clues\n".utf8))
            return
        }
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
        if shown, !lines { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}
