import Foundation
import Testing
import TestSupport

/// The QGIS Processing provider (Tools/qgis), headless: its own suite (Tools/qgis/test_provider.py)
/// runs every algorithm through qgis_process and PyQGIS against this build of redline.
@Suite struct QGISProviderTests {
    @Test func theProviderRunsEveryAlgorithmHeadless() throws {
        let script = Command.packageRoot.appendingPathComponent("Tools/qgis/test_provider.py").path
        // Debian's PyQGIS is built for the system Python, not one a version manager puts first on PATH.
        let result = try Command.run("/usr/bin/env", ["REDLINE=\(Command.redline)", "/usr/bin/python3", script])
        #expect(result.status == 0, "\(result.stdout.suffix(3000))\(result.stderr.suffix(6000))")
        // Every test the script defines ran, and none was skipped (a missing qgis_process skips, say).
        let defined = try String(contentsOfFile: script, encoding: .utf8).components(separatedBy: "\n    def test_").count - 1
        #expect(defined > 0)
        #expect(result.stderr.contains("Ran \(defined) tests") && result.stderr.contains("\nOK\n"), "\(result.stderr.suffix(3000))")
        #expect(!result.stderr.contains("skipped"), "\(result.stderr.suffix(3000))")
    }
}
