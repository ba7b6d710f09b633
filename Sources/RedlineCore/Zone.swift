/// RedlineCore is the checking engine: it reads activity patches and protected areas through
/// GDALKit, brings them into one geographic frame through PROJKit, finds and measures overlaps
/// through GEOSKit with geodesic areas, and turns every patch that overlaps into a `Clue`.
/// It knows nothing of output formats: results leave through the `ClueSink` protocol.

/// A functional zone of a protected area, from strictest to least strict.
///
/// Reserves still carry the old scheme (核心区 / 缓冲区 / 实验区) or the new one
/// (核心保护区 / 一般控制区); red-line patches have no zones.
public enum Zone: String, Sendable, CaseIterable, Comparable {
    case core = "core"
    case coreProtection = "core_protection"
    case buffer = "buffer"
    case generalControl = "general_control"
    case experimental = "experimental"
    case redLine = "red_line"
    case unzoned = "unzoned"

    /// Lower is stricter. Core zones of both schemes share the top rank.
    public var strictness: Int {
        switch self {
        case .core, .coreProtection: return 0
        case .buffer, .generalControl: return 1
        case .experimental: return 2
        case .redLine: return 3
        case .unzoned: return 4
        }
    }

    public static func < (lhs: Zone, rhs: Zone) -> Bool {
        lhs.strictness != rhs.strictness ? lhs.strictness < rhs.strictness
            : allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The label analysts read, in Chinese.
    public var label: String {
        switch self {
        case .core: return "核心区"
        case .coreProtection: return "核心保护区"
        case .buffer: return "缓冲区"
        case .generalControl: return "一般控制区"
        case .experimental: return "实验区"
        case .redLine: return "生态保护红线"
        case .unzoned: return "未分区"
        }
    }

    /// Recognises the zone names found in real data, in Chinese or English; nil when unknown.
    public init?(dataValue: String) {
        let key = Self.normalise(dataValue)
        guard let zone = Self.aliases[key] else { return nil }
        self = zone
    }

    /// Lower case without spaces, `_` and `-`: how data values are compared with known names.
    public static func normalise(_ text: String) -> String {
        text.lowercased().filter { !$0.isWhitespace && $0 != "_" && $0 != "-" }
    }

    private static let aliases: [String: Zone] = {
        var table: [String: Zone] = [:]
        let names: [(Zone, [String])] = [
            (.core, ["核心区", "核心", "core", "corezone", "cz"]),
            (.coreProtection, ["核心保护区", "coreprotection", "coreprotectionzone", "coreprotectedzone"]),
            (.buffer, ["缓冲区", "缓冲", "buffer", "bufferzone", "bz"]),
            (.generalControl, ["一般控制区", "一般控制", "generalcontrol", "generalcontrolzone"]),
            (.experimental, ["实验区", "实验", "试验区", "experimental", "experimentalzone", "experiment",
                             "experimentzone", "ez"]),
            (.redLine, ["生态保护红线", "红线", "redline", "ecologicalredline", "ecoredline"]),
        ]
        for (zone, words) in names {
            for word in words { table[normalise(word)] = zone }
        }
        return table
    }()
}

/// What kind of protection a protected area is under.
public enum ProtectionKind: Sendable, Hashable, CustomStringConvertible {
    case natureReserve
    case redLine
    /// A value the data carried that we do not recognise; kept as written.
    case other(String)

    public init(dataValue: String?) {
        guard let dataValue, !dataValue.isEmpty else {
            self = .other("")
            return
        }
        switch Zone.normalise(dataValue) {
        case "自然保护区", "保护区", "naturereserve", "reserve", "nr", "nationalnaturereserve", "国家级自然保护区",
             "省级自然保护区":
            self = .natureReserve
        case "生态保护红线", "红线", "redline", "ecologicalredline", "ecoredline", "生态红线":
            self = .redLine
        default:
            self = .other(dataValue)
        }
    }

    public var description: String {
        switch self {
        case .natureReserve: return "nature_reserve"
        case .redLine: return "red_line"
        case .other(let text): return text
        }
    }

    public var label: String {
        switch self {
        case .natureReserve: return "自然保护区"
        case .redLine: return "生态保护红线"
        case .other(let text): return text
        }
    }
}
