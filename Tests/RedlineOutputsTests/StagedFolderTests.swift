import Foundation
@testable import RedlineOutputs
import Testing
import TestSupport

/// Output folders after a run was killed: the old files or the new ones, never some of each.
@Suite struct StagedFolderTests {
    /// The pid of a process that has ended.
    func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    func text(_ url: URL) -> String? { try? String(contentsOf: url, encoding: .utf8) }

    /// Killed halfway through its commit (a.csv moved, b.csv and summary.json not yet, a folder to
    /// retire): the next use of the folder finishes the commit from the journal.
    @Test func aCommitKilledHalfwayIsFinishedByTheNextUse() throws {
        let folder = TemporaryFolder("redline-staged")
        let out = folder.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out.appendingPathComponent("652301"), withIntermediateDirectories: true)
        for name in ["b.csv", "summary.json"] { try Data("old \(name)".utf8).write(to: out.appendingPathComponent(name)) }
        try Data("new a.csv".utf8).write(to: out.appendingPathComponent("a.csv"))
        let staging = out.appendingPathComponent(StagedFolder.prefix + String(try deadPID()))
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
        try Data("old a.csv".utf8).write(to: staging.appendingPathComponent(".replaced-0"))
        for name in ["b.csv", "summary.json"] { try Data("new \(name)".utf8).write(to: staging.appendingPathComponent(name)) }
        try Data("move\ta.csv\nmove\tb.csv\nmove\tsummary.json\nretire\t652301\n".utf8)
            .write(to: staging.appendingPathComponent(StagedFolder.journal))

        StagedFolder.removeAbandoned(in: out)
        for name in ["a.csv", "b.csv", "summary.json"] {
            #expect(text(out.appendingPathComponent(name)) == "new \(name)", "\(name)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["a.csv", "b.csv", "summary.json"],
                "the retired folder and the staging folder are gone")
    }

    /// A staging folder is judged by its owner lock, not its pid: in a container the next run has
    /// the killed run's pid, and must still finish its commit.
    @Test func aKilledRunsFolderUnderOurOwnPIDIsFinishedToo() throws {
        let folder = TemporaryFolder("redline-staged")
        let out = folder.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("old a.csv".utf8).write(to: out.appendingPathComponent("a.csv"))
        let staging = out.appendingPathComponent(StagedFolder.prefix + String(getpid()))
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
        try Data().write(to: staging.appendingPathComponent(StagedFolder.ownerLock))
        try Data("new a.csv".utf8).write(to: staging.appendingPathComponent("a.csv"))
        try Data("move\ta.csv\n".utf8).write(to: staging.appendingPathComponent(StagedFolder.journal))

        let live = try StagedFolder(destination: out)
        #expect(text(out.appendingPathComponent("a.csv")) == "new a.csv")
        StagedFolder.removeAbandoned(in: out)
        #expect(FileManager.default.fileExists(atPath: live.staging.path), "a live run's folder, locked, is left alone")
        live.discard()
    }

    /// Killed before its commit began: the staged files go, the old ones stay as they were.
    @Test func aRunKilledBeforeItsCommitLeavesTheOldFiles() throws {
        let folder = TemporaryFolder("redline-staged")
        let out = folder.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: out.appendingPathComponent("a.csv"))
        let staging = out.appendingPathComponent(StagedFolder.prefix + String(try deadPID()))
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
        try Data("half".utf8).write(to: staging.appendingPathComponent("a.csv"))

        StagedFolder.removeAbandoned(in: out)
        #expect(text(out.appendingPathComponent("a.csv")) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["a.csv"])
    }

    /// A commit that runs to its end leaves no journal or staging folder behind.
    @Test func aFinishedCommitLeavesOnlyItsFiles() throws {
        let folder = TemporaryFolder("redline-staged")
        let out = folder.url.appendingPathComponent("out")
        let staged = try StagedFolder(destination: out)
        try Data("new".utf8).write(to: URL(fileURLWithPath: staged.path("a.csv")))
        try staged.commit(["a.csv"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["a.csv"])
        #expect(text(out.appendingPathComponent("a.csv")) == "new")
    }
}
