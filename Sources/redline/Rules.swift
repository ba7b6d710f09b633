import ArgumentParser
import Foundation
import RedlineCore

/// `redline rules`: check a rules file, or print the built-in one to start from.
struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a rules file, or print the built-in rules.",
        subcommands: [CheckFile.self, Show.self]
    )

    struct CheckFile: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check a rules file and list every problem with its line.",
            discussion: "Exit status: 0 when the file can be used (warnings allowed), 2 when it has errors (see `redline check --help`)."
        )

        @Argument(help: "The rules file (YAML).")
        var file: String

        func run() throws {
            let text: String
            do {
                text = try RuleBook.readText(file)
            } catch {
                Reporting.printError("\(error)")
                throw ExitCode(ExitStatus.badInput.rawValue)
            }
            let (book, problems) = RuleBook.parse(yaml: text, source: file)
            for problem in problems {
                let kind = problem.isWarning ? "warning: " : ""
                print("\(file):\(problem.line): \(kind)\(problem.message)")
            }
            guard let book else {
                let errors = problems.filter { !$0.isWarning }.count
                print("\(file): \(errors) error\(errors == 1 ? "" : "s") — fix them; a file with errors is never used")
                throw ExitCode(ExitStatus.badInput.rawValue)
            }
            print("\(file): OK — \(book.rules.count) rules, \(book.activityTypes.count) activity types"
                  + (problems.isEmpty ? "" : ", \(problems.count) warning\(problems.count == 1 ? "" : "s")"))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the built-in rules: the starting point for your own file.",
            discussion: "redline rules show > my-rules.yaml, edit, then redline check ... --rules my-rules.yaml"
        )

        func run() {
            print(RuleBook.builtInText, terminator: "")
        }
    }
}
