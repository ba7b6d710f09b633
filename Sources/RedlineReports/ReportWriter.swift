import Foundation
import RedlineCore
import RedlineOutputs

/// Writes a month's report into a folder: report.html and report.xlsx, and report.pdf printed
/// from the HTML by headless Chromium. All three are staged and moved into place together; when
/// no PDF is made an older report.pdf goes too, so the folder never pairs this month's page with
/// last month's print.
public struct ReportWriter {
    public static let fileNames = ["report.html", "report.pdf", "report.xlsx"]

    public let report: MonthlyReport
    public init(report: MonthlyReport) { self.report = report }

    /// The warning a report without its PDF carries, or nil when Chromium is there to print it.
    /// A browser named in REDLINE_CHROMIUM that is not there is an error, not a warning: the
    /// user asked for that one.
    public static func missingBrowser(for destination: URL) throws -> RunWarning? {
        guard try HeadlessBrowser.find() == nil else { return nil }
        return RunWarning(code: "pdf_not_written", message: "no Chromium found to print report.pdf (install chromium, or name "
                          + "the browser in REDLINE_CHROMIUM); report.html prints the same from any browser",
                          file: destination.appendingPathComponent("report.pdf").path)
    }

    /// The files written, in `fileNames` order. With `pdf`, Chromium must be there (see `missingBrowser`).
    @discardableResult
    public func write(into destination: URL, pdf: Bool) throws -> [String] {
        let staged = try StagedFolder(destination: destination)
        let html = staged.path("report.html")
        do {
            try Data(report.html().utf8).write(to: URL(fileURLWithPath: html))
        } catch {
            throw RedlineError.outputFailed(path: destination.appendingPathComponent("report.html").path, reason: error.localizedDescription)
        }
        do {
            try report.writeWorkbook(to: staged.path("report.xlsx"))
        } catch {
            throw RedlineError.outputFailed(path: destination.appendingPathComponent("report.xlsx").path, reason: "\(error)")
        }
        var names = ["report.html", "report.xlsx"]
        if pdf {
            let shownAs = destination.appendingPathComponent("report.pdf").path
            guard let browser = try HeadlessBrowser.find() else {
                throw RedlineError.outputFailed(path: shownAs, reason: "no Chromium found to print it (install chromium, or set REDLINE_CHROMIUM)")
            }
            try browser.printPDF(html: html, to: staged.path("report.pdf"), profile: staged.path(".chromium-profile"), shownAs: shownAs)
            names.insert("report.pdf", at: 1)
        }
        try staged.commit(names, retiring: names.contains("report.pdf") ? [] : ["report.pdf"])
        return names
    }
}

/// Chromium run headless to print a local page to PDF: its own empty profile (inside the
/// staging folder, so a killed run leaves none behind), no network, in a process group of its
/// own, and the whole group killed if it has not finished in two minutes — a browser's helpers
/// must not keep the report waiting.
struct HeadlessBrowser {
    let executable: String
    static let timeout: TimeInterval = 120

    /// REDLINE_CHROMIUM, else the first of the usual names on PATH.
    static func find(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HeadlessBrowser? {
        if let named = environment["REDLINE_CHROMIUM"], !named.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: named) else {
                throw RedlineError.badOption("REDLINE_CHROMIUM names \(named), which is not an executable file — fix it, or unset it to use chromium on PATH")
            }
            return HeadlessBrowser(executable: named)
        }
        let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
                return HeadlessBrowser(executable: folder + "/" + name)
            }
        }
        return nil
    }

    /// Prints `html` to `pdf`; `shownAs` is the path errors name (the staged file is hidden).
    func printPDF(html: String, to pdf: String, profile: String, shownAs: String) throws {
        var arguments = ["--headless", "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                         "--disable-sync", "--no-default-browser-check", "--user-data-dir=\(profile)",
                         "--proxy-server=127.0.0.1:9", "--no-pdf-header-footer", "--print-to-pdf=\(pdf)",
                         URL(fileURLWithPath: html).absoluteString]
        // Chromium's sandbox refuses to start as root (containers, CI).
        if getuid() == 0 { arguments.insert("--no-sandbox", at: 0) }
        let log = profile + ".log"
        let status = try run(arguments, log: log, shownAs: shownAs)
        let size = (try? FileManager.default.attributesOfItem(atPath: pdf)[.size] as? Int) ?? 0
        guard status == 0, size > 0 else {
            let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let lines = said.split(separator: "\n")
            let last = lines.last { $0.localizedCaseInsensitiveContains("error") } ?? lines.last ?? ""
            throw RedlineError.printFailed(path: shownAs, browser: executable, reason: "it exited with status \(status) without "
                                           + "printing it\(last.isEmpty ? "" : " (\(last))")")
        }
    }

    /// Runs the browser with stdout and stderr into `log`; its exit status. Spawned as the leader
    /// of a new process group, which is killed entire after a normal exit too (stray helpers).
    private func run(_ arguments: [String], log: String, shownAs: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else {
            throw RedlineError.printFailed(path: shownAs, browser: executable, reason: "cannot start it: \(String(cString: strerror(spawned)))")
        }
        defer { kill(-pid, SIGKILL) }
        let deadline = Date().addingTimeInterval(Self.timeout)
        var status: Int32 = 0
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited < 0 && errno != EINTR { return -1 }
            if Date() > deadline {
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw RedlineError.printFailed(path: shownAs, browser: executable, reason: "it did not finish in \(Int(Self.timeout)) s")
            }
            usleep(50_000)
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
