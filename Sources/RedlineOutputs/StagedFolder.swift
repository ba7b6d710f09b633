/// RedlineOutputs owns the files a check writes into `--out`: overlaps.csv, clues.csv,
/// clues.gpkg, clues.geojson (all through GDAL's drivers) and summary.json. Files are written into
/// a hidden staging folder and renamed into place only when all of them are complete, so a failed
/// or killed run never leaves a half-written file that looks whole.
import Foundation
import RedlineCore
import ThreadKit

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
        try Self.requireFolder(destination)
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
        // Held until the folder is discarded; the kernel lets go when the process dies, however it
        // dies, so "abandoned" never rests on a pid that may have been reused.
        owner = Foundation.open(staging.appendingPathComponent(Self.ownerLock).path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard owner >= 0, flock(owner, LOCK_EX | LOCK_NB) == 0 else {
            throw RedlineError.outputFailed(path: staging.path, reason: String(cString: strerror(errno)))
        }
        LiveStaging.shared.add(staging.path)
    }

    private var owner: Int32 = -1
    static let ownerLock = ".owner"

    deinit { discard() }

    /// Where to build the file called `name`.
    public func path(_ name: String) -> String { staging.appendingPathComponent(name).path }

    /// Moves the named files (or folders) into the destination, in the order given, then removes
    /// the staging folder. A file replaces the old one at once; a folder that already exists is
    /// first moved aside into the staging folder (rename cannot replace a non-empty folder).
    /// `retiring` names files or folders an earlier run made that this one does not: they go too.
    /// If one cannot be moved, those already moved are put back, so that the failure's "nothing
    /// was replaced" holds.
    ///
    /// A signal waits for a commit under way to end (`LiveStaging`); a SIGKILL in the middle leaves
    /// the staging folder's journal, from which the next use of the folder finishes the commit, so
    /// the folder never stays half old and half new.
    public func commit(_ names: [String], retiring: [String] = []) throws {
        try LiveStaging.shared.whileCommitting {
            let journal = names.map { "move\t\($0)" } + retiring.map { "retire\t\($0)" }
            do {
                try Data((journal.joined(separator: "\n") + "\n").utf8).write(to: staging.appendingPathComponent(Self.journal))
            } catch {
                throw RedlineError.outputFailed(path: staging.path, reason: error.localizedDescription)
            }
            try move(names, retiring: retiring)
        }
        discard()
    }

    static let journal = ".commit"

    private func move(_ names: [String], retiring: [String]) throws {
        var moved: [(name: String, previous: String?)] = []
        for (position, name) in names.enumerated() {
            let target = destination.appendingPathComponent(name).path
            // The earlier file is kept aside, as a second link, until every new one is in place;
            // the rename below then replaces it at once, so the target never goes missing. A
            // folder (which rename cannot replace) is moved aside first.
            let aside = path(".replaced-\(position)")
            var previous: String?
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: target, isDirectory: &isFolder)
            var newIsFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path(name), isDirectory: &newIsFolder)
            // Something else in a file's place (a folder called clues.geojson) is not ours to move.
            if exists && isFolder.boolValue && !newIsFolder.boolValue {
                undo(moved)
                throw RedlineError.outputFailed(path: target, reason: "a folder is in the way of the file \(name)")
            }
            if exists, (isFolder.boolValue ? rename(target, aside) : link(target, aside)) == 0 {
                previous = aside
            } else if exists {
                let reason = String(cString: strerror(errno))
                undo(moved)
                throw RedlineError.outputFailed(path: target, reason: reason)
            }
            guard rename(path(name), target) == 0 else {
                let reason = String(cString: strerror(errno))
                if let previous, isFolder.boolValue { rename(previous, target) }
                undo(moved)
                throw RedlineError.outputFailed(path: target, reason: reason)
            }
            moved.append((name, previous))
        }
        for (position, name) in retiring.enumerated() {
            let target = destination.appendingPathComponent(name).path
            guard rename(target, path(".retired-\(position)")) == 0 || errno == ENOENT else {
                throw RedlineError.outputFailed(path: target, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Puts back what `commit` had replaced, newest first.
    private func undo(_ moved: [(name: String, previous: String?)]) {
        // The commit is abandoned: a kill while putting things back must not be finished later.
        unlink(path(Self.journal))
        for (name, previous) in moved.reversed() {
            let target = destination.appendingPathComponent(name).path
            if let previous {
                var isFolder: ObjCBool = false
                // Renaming over a non-empty folder fails: the new one goes first.
                if FileManager.default.fileExists(atPath: target, isDirectory: &isFolder), isFolder.boolValue {
                    try? FileManager.default.removeItem(atPath: target)
                }
                rename(previous, target)
            } else {
                try? FileManager.default.removeItem(atPath: target)
            }
        }
    }

    /// Drops everything staged.
    public func discard() {
        guard open else { return }
        open = false
        try? FileManager.default.removeItem(at: staging)
        if owner >= 0 { close(owner) }
        LiveStaging.shared.remove(staging.path)
        // Succeeds only while the folder is empty: after a failed first run, not after a commit.
        if madeDestination { rmdir(destination.path) }
    }

    /// An output folder that is a dangling symbolic link or a file would fail with "a file with the
    /// same name already exists": say what it is instead.
    static func requireFolder(_ destination: URL) throws {
        let path = destination.path
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path),
           !FileManager.default.fileExists(atPath: path) {
            throw RedlineError.outputFailed(path: path, reason: "it is a symbolic link to \(target), which does not exist — "
                                            + "create that folder or give another one")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
            throw RedlineError.outputFailed(path: path, reason: "it is a file, not a folder — give a folder")
        }
    }

    /// Refuses inputs that lie inside an output folder: a run would overwrite them, or remove them
    /// as files of a format it no longer writes. `option` names the folder's option, `because`
    /// what the run does with that folder.
    public static func refuse(inputs: [String], inside destination: URL, option: String,
                              because: String = "whose files a run replaces") throws {
        let folder = resolved(destination.path)
        for input in inputs where !input.hasPrefix("PG:") {
            var path = input.components(separatedBy: "|layername=")[0]
            for prefix in ["/vsizip/", "/vsigzip/"] where path.hasPrefix(prefix) { path = String(path.dropFirst(prefix.count)) }
            let place = resolved(path)
            if place == folder || place.hasPrefix(folder + "/") {
                throw RedlineError.badOption("\(input) lies inside \(option) \(destination.path), \(because) — "
                                             + "move it out or give \(option) another folder")
            }
        }
    }

    /// The absolute path with symbolic links resolved, as far as it exists.
    private static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Staging folders left by runs that were killed (their process is gone): removed, after
    /// finishing the commit one was killed in, so that the folder holds the new run's files
    /// whole. Readers of an output folder call this first.
    public static func removeAbandoned(in folder: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where name.hasPrefix(prefix) {
            let staging = folder.appendingPathComponent(name)
            guard isAbandoned(staging, pid: Int32(name.dropFirst(prefix.count))) else { continue }
            if let journal = try? String(contentsOf: staging.appendingPathComponent(journal), encoding: .utf8) {
                finishCommit(journal, from: staging, into: folder)
            }
            try? FileManager.default.removeItem(at: staging)
        }
    }

    /// Whether no live process holds the staging folder: its owner lock can be taken (or, from
    /// before the lock existed, its process is gone).
    private static func isAbandoned(_ staging: URL, pid: Int32?) -> Bool {
        let descriptor = Foundation.open(staging.appendingPathComponent(ownerLock).path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return pid.map(processIsGone) ?? false }
        defer { close(descriptor) }
        return flock(descriptor, LOCK_EX | LOCK_NB) == 0
    }

    /// Moves what a killed commit had not yet moved: every file in the journal still staged goes
    /// into place (a folder in its way aside first), and what it retired goes.
    private static func finishCommit(_ journal: String, from staging: URL, into folder: URL) {
        let manager = FileManager.default
        for (position, line) in journal.split(separator: "\n").enumerated() {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].contains("/") else { continue }
            let staged = staging.appendingPathComponent(parts[1]).path, target = folder.appendingPathComponent(parts[1]).path
            let aside = staging.appendingPathComponent(".finished-\(position)").path
            var isFolder: ObjCBool = false
            switch parts[0] {
            case "move" where manager.fileExists(atPath: staged, isDirectory: &isFolder):
                // Only a staged folder sets an old folder aside; a folder in a file's way is not ours.
                var targetIsFolder: ObjCBool = false
                if manager.fileExists(atPath: target, isDirectory: &targetIsFolder), targetIsFolder.boolValue {
                    guard isFolder.boolValue else { continue }
                    rename(target, aside)
                }
                rename(staged, target)
            case "retire" where manager.fileExists(atPath: target):
                rename(target, aside)
            default:
                continue
            }
        }
    }
}

/// The staging folders of this process that are still open, so that a SIGTERM, SIGINT or SIGHUP
/// removes them before the process ends (a SIGKILL cannot be caught: the next run removes those).
public final class LiveStaging: @unchecked Sendable {
    static let shared = LiveStaging()
    private let lock = NSLock()
    private var paths: Set<String> = []
    private var sources: [DispatchSourceSignal] = []
    /// Held while a commit moves files into place: a signal waits for it, so that a stopped run
    /// leaves the old files or the new ones, never some of each.
    private let commitLock = NSLock()

    func whileCommitting<T>(_ body: () throws -> T) rethrows -> T {
        commitLock.lock()
        defer { commitLock.unlock() }
        return try body()
    }

    func add(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        paths.insert(path)
    }

    func remove(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        paths.remove(path)
    }

    /// Installs the handlers; call once, first thing. The handlers run on a dispatch queue, where
    /// removing files is safe (unlike in a C signal handler), then end the process by the same signal.
    public static func removeOnSignals() {
        shared.lock.lock()
        defer { shared.lock.unlock() }
        guard shared.sources.isEmpty else { return }
        for number in [SIGTERM, SIGINT, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                // Never released: the process ends here, after the commit under way (if any).
                shared.commitLock.lock()
                shared.lock.lock()
                let open = shared.paths
                shared.lock.unlock()
                for path in open { try? FileManager.default.removeItem(atPath: path) }
                // End by the signal itself, so the parent sees what stopped us: unblocked on this
                // thread (dispatch's threads, and children of some launchers, block signals).
                signal(number, SIG_DFL)
                var only = sigset_t()
                sigemptyset(&only)
                sigaddset(&only, number)
                pthread_sigmask(SIG_UNBLOCK, &only, nil)
                raise(number)
                _exit(128 + number)
            }
            source.resume()
            shared.sources.append(source)
        }
    }
}
