/// The `redline` command line: parses options, calls RedlineCore and RedlineOutputs, and turns
/// errors into one line on stderr and an exit code. No logic lives here.
import ArgumentParser
import RedlineOutputs

@main
struct Redline: ParsableCommand {
    static let version = "0.1.0"

    static func main() {
        // Before any output is staged: a run stopped by SIGTERM or Ctrl-C leaves no staging folder.
        LiveStaging.removeOnSignals()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "redline",
        abstract: "Checks human-activity patches against ecological protection red lines and nature reserves.",
        version: version,
        subcommands: [Check.self, Checklist.self, Rules.self, Run.self, Verify.self, Status.self, Export.self, History.self, LookbackCommand.self, Report.self]
    )
}
