import Foundation

/// Runs a program and captures what it printed.
public struct CommandResult {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum Command {
    /// The package's root folder (this file is Tests/TestSupport/Command.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `--protected` and `--admin` of the bundled illustrative boundaries: redline never defaults to them.
    public static var bundledBoundaries: [String] {
        let geodata = packageRoot.appendingPathComponent("Geodata")
        return ["--protected", geodata.appendingPathComponent("protected.gpkg").path,
                "--admin", geodata.appendingPathComponent("counties.gpkg").path]
    }

    /// The built `redline` executable, beside the test bundle in the build folder.
    public static var redline: String {
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("redline").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/redline").path
    }

    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], in directory: URL = packageRoot) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        // Files, not pipes: a chatty process can never block on a full pipe.
        let folder = TemporaryFolder("redline-command")
        _ = FileManager.default.createFile(atPath: folder.path("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: folder.path("err"), contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.path("out")))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.path("err")))
        try process.run()
        process.waitUntilExit()
        let outputData = (try? Data(contentsOf: URL(fileURLWithPath: folder.path("out")))) ?? Data()
        let errorData = (try? Data(contentsOf: URL(fileURLWithPath: folder.path("err")))) ?? Data()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
                             stderr: String(decoding: errorData, as: UTF8.self))
    }
}

/// The members of a zip archive (XLSX, KMZ), read with Python's zipfile: an independent reader.
public enum ZipArchive {
    /// The member names, in the archive's order.
    public static func names(_ archive: String) throws -> [String] {
        try python("import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", archive)
            .split(separator: "\n").map(String.init)
    }

    /// One member as text.
    public static func text(_ archive: String, _ member: String) throws -> String {
        try python("import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode('utf-8'))",
                   archive, member)
    }

    /// Rewrites one member in place: each regular expression replaced by its template (Python
    /// `re.sub` syntax), every other member copied as it was. Throws when a pattern matches nothing.
    public static func rewrite(_ archive: String, _ member: String, _ replacements: [(pattern: String, template: String)]) throws {
        let script = """
        import re, shutil, sys, zipfile
        archive, member, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
        source = zipfile.ZipFile(archive)
        text = source.read(member).decode('utf-8')
        for pattern, template in zip(pairs[::2], pairs[1::2]):
            text, count = re.subn(pattern, template, text)
            if count == 0: sys.exit('no match for ' + pattern)
        with zipfile.ZipFile(archive + '.new', 'w', zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(info, text.encode('utf-8') if info.filename == member else source.read(info.filename))
        shutil.move(archive + '.new', archive)
        """
        _ = try python(script, [archive, member] + replacements.flatMap { [$0.pattern, $0.template] })
    }

    private static func python(_ script: String, _ arguments: String...) throws -> String {
        try python(script, arguments)
    }

    private static func python(_ script: String, _ arguments: [String]) throws -> String {
        let result = try Command.run("/usr/bin/env", ["python3", "-c", script] + arguments)
        guard result.status == 0 else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(arguments.joined(separator: " ")): \(result.stderr)"])
        }
        return result.stdout
    }
}
