import ArgumentParser
import Foundation
import RedlineCore
import RedlineRegistry

/// The one place where an error becomes a line on stderr and an exit status (`ExitStatus`).
enum Reporting {
    /// Runs a subcommand's work; its failure is printed once and exits with the table's status.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            let (message, status) = describe(error)
            printError(message)
            throw ExitCode(status.rawValue)
        }
    }

    /// The message and exit status of any error a subcommand may meet.
    static func describe(_ error: Error) -> (String, ExitStatus) {
        let (message, status) = plainDescription(error)
        return (SourceSpec.maskingPasswords(message), status)
    }

    private static func plainDescription(_ error: Error) -> (String, ExitStatus) {
        switch error {
        case let error as RedlineError:
            return ("\(error)", error.exitStatus)
        case let error as RegistryError:
            return ("\(error)", error.exitStatus)
        case let error as CocoaError where error.isFileError:
            let path = error.filePath ?? (error.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
            return ("cannot write \(path): \(error.localizedDescription) — check the folder is writable and has space",
                    .cannotWrite)
        default:
            return ("\(error)", .unexpected)
        }
    }

    static func printError(_ message: String) {
        // A connection string's password never reaches a terminal or a log, whoever quoted it.
        FileHandle.standardError.write(Data("redline: \(OneLine.escape(SourceSpec.maskingPasswords(message)))\n".utf8))
    }

    static func printWarnings(_ warnings: [RunWarning]) {
        for warning in warnings {
            FileHandle.standardError.write(Data("redline: warning: \(SourceSpec.maskingPasswords(warning.description))\n".utf8))
        }
    }
}

extension RegistryError {
    var exitStatus: ExitStatus {
        switch self {
        case .locked: return .locked
        case .frameMismatch, .notARegistry, .noSuchClue: return .badInput
        case .issuedBeforeImagery: return .usage
        }
    }
}
