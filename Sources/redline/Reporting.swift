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
        FileHandle.standardError.write(Data("redline: \(OneLine.escape(message))\n".utf8))
    }

    static func printWarnings(_ warnings: [RunWarning]) {
        for warning in warnings {
            FileHandle.standardError.write(Data("redline: warning: \(warning)\n".utf8))
        }
    }
}

extension RegistryError {
    var exitStatus: ExitStatus {
        switch self {
        case .locked: return .locked
        case .frameMismatch, .notARegistry, .noSuchClue: return .badInput
        }
    }
}
