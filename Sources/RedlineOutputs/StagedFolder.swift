/// RedlineOutputs owns the files a check writes into `--out`: overlaps.csv, clues.csv,
/// clues.gpkg, clues.geojson (all through GDAL's drivers) and summary.json. Files are written into
/// a hidden staging folder and renamed into place only when all of them are complete, so a failed
/// or killed run never leaves a half-written file that looks whole.
import Foundation
import RedlineCore

/// A hidden folder inside the output folder where files are built, then moved into place.
public final class StagedFolder {
    public let destination: URL
    public let staging: URL
    private var open = true
    /// Whether this run made the destination folder: if it fails, an empty one goes again.
    private let madeDestination: Bool

    static let prefix = ".redline-staging-"

    public init(destination: URL) throws {
        self.destination = destination
        let manager = FileManager.default
        madeDestination = !manager.fileExists(atPath: destination.path)
        do {
            try manager.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw RedlineError.outputFailed(path: destination.path, reason: error.localizedDescription)
        }
        Self.removeAbandoned(in: destination)
        staging = destination.appendingPathComponent("\(Self.prefix)\(getpid())")
        do {
            try? manager.removeItem(at: staging)
            try manager.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw RedlineError.outputFailed(path: staging.path, reason: error.localizedDescription)
        }
    }

    deinit { discard() }

    /// Where to build the file called `name`.
    public func path(_ name: String) -> String { staging.appendingPathComponent(name).path }

    /// Moves the named files (or folders) into the destination, in the order given, then removes
    /// the staging folder. A file replaces the old one at once; a folder that already exists is
    /// first moved aside into the staging folder (rename cannot replace a non-empty folder).
    public func commit(_ names: [String]) throws {
        for (position, name) in names.enumerated() {
            let target = destination.appendingPathComponent(name).path
            if rename(path(name), target) == 0 { continue }
            guard errno == ENOTEMPTY || errno == EEXIST,
                  rename(target, path(".replaced-\(position)")) == 0, rename(path(name), target) == 0 else {
                throw RedlineError.outputFailed(path: target, reason: String(cString: strerror(errno)))
            }
        }
        discard()
    }

    /// Removes the named files from the destination, if there: what an earlier run wrote and
    /// this one does not.
    public func remove(_ names: [String]) throws {
        for name in names {
            let target = destination.appendingPathComponent(name).path
            if unlink(target) != 0 && errno != ENOENT {
                throw RedlineError.outputFailed(path: target, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Drops everything staged.
    public func discard() {
        guard open else { return }
        open = false
        try? FileManager.default.removeItem(at: staging)
        // Succeeds only while the folder is empty: after a failed first run, not after a commit.
        if madeDestination { rmdir(destination.path) }
    }

    /// Staging folders left by runs that were killed: their process is gone.
    private static func removeAbandoned(in folder: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where name.hasPrefix(prefix) {
            if let pid = Int32(name.dropFirst(prefix.count)), processIsGone(pid) {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }
}
