/// The exit statuses of every redline subcommand: one table, so scripts and schedulers can tell
/// a bad input from a full disk from a busy registry.
public enum ExitStatus: Int32, CaseIterable, Sendable {
    case ok = 0
    /// Not one of redline's own errors: a bug, worth reporting.
    case unexpected = 1
    case badInput = 2
    case cannotWrite = 3
    case locked = 4
    /// Warnings under `--strict`.
    case stoppedByWarnings = 5
    case usage = 64

    /// The table as `--help` prints it.
    public static let table = """
        Exit status (the same for every subcommand):
          0  done (with or without clues; warnings, if any, on stderr and in the report)
          2  bad input: a source that cannot be read, no or a suspicious CRS, an unknown field,
             swapped axes, patches far from every protected area, a bad date or rules file,
             rejected rows of a verification file
          3  cannot write the outputs or the registry (nothing that was there was replaced)
          4  another run holds the registry
          5  stopped by warnings under --strict (nothing was written)
          64 bad command-line options
          1  anything else: a bug in redline, please report it
        """
}

extension RedlineError {
    public var exitStatus: ExitStatus {
        switch self {
        case .outputFailed, .registryUnavailable, .printFailed: return .cannotWrite
        case .badOption: return .usage
        case .stoppedByWarnings: return .stoppedByWarnings
        case .checklistsFailed(_, _, let cause): return cause.exitStatus
        default: return .badInput
        }
    }

    /// Whether the fault lies with what was given (not with where the outputs go).
    public var isInputError: Bool { exitStatus != .cannotWrite }
}
