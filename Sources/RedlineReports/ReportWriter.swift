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
    public static func missingBrowser(for destination: URL) -> RunWarning? {
        guard HeadlessBrowser.find() == nil else { return nil }
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
            guard let browser = HeadlessBrowser.find() else {
                throw RedlineError.outputFailed(path: shownAs, reason: "no Chromium found to print it (install chromium, or set REDLINE_CHROMIUM)")
            }
            try browser.printPDF(html: html, to: staged.path("report.pdf"), shownAs: shownAs)
            names.insert("report.pdf", at: 1)
        }
        try staged.commit(names, retiring: names.contains("report.pdf") ? [] : ["report.pdf"])
        return names
    }
}

/// Chromium run headless to print a local page to PDF: its own empty profile, no network, and
/// killed if it has not finished in two minutes.
struct HeadlessBrowser {
    let executable: String
    static let timeout: TimeInterval = 120

    /// REDLINE_CHROMIUM, else the first of the usual names on PATH.
    static func find(environment: [String: String] = ProcessInfo.processInfo.environment) -> HeadlessBrowser? {
        if let named = environment["REDLINE_CHROMIUM"], !named.isEmpty {
            return FileManager.default.isExecutableFile(atPath: named) ? HeadlessBrowser(executable: named) : nil
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
    func printPDF(html: String, to pdf: String, shownAs: String) throws {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("redline-chromium-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var arguments = ["--headless", "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                         "--disable-sync", "--no-default-browser-check", "--user-data-dir=\(profile.path)",
                         "--proxy-server=127.0.0.1:9", "--no-pdf-header-footer", "--print-to-pdf=\(pdf)",
                         URL(fileURLWithPath: html).absoluteString]
        // Chromium's sandbox refuses to start as root (containers, CI).
        if getuid() == 0 { arguments.insert("--no-sandbox", at: 0) }
        process.arguments = arguments
        let log = profile.appendingPathExtension("log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw RedlineError.outputFailed(path: shownAs, reason: "cannot start \(executable): \(error.localizedDescription)")
        }
        if finished.wait(timeout: .now() + Self.timeout) == .timedOut {
            process.terminate()
            finished.wait()
            throw RedlineError.outputFailed(path: shownAs, reason: "\(executable) did not finish printing in \(Int(Self.timeout)) s")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: pdf)[.size] as? Int) ?? 0
        guard process.terminationStatus == 0, size > 0 else {
            let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let last = said.split(separator: "\n").last { $0.localizedCaseInsensitiveContains("error") } ?? said.split(separator: "\n").last ?? ""
            throw RedlineError.outputFailed(path: shownAs, reason: "\(executable) exited with status \(process.terminationStatus) "
                                            + "without printing it\(last.isEmpty ? "" : ": \(last)")")
        }
    }
}
