import RedlineCore

/// Where a clue is in its life, and every move it can make: the registry's one state machine.
///
///     issued ─dispatch→ dispatched ─verify→ verified ─→ rectifying (整改中) ─→ rectified (待验收) ─sign-off→ closed (销号)
///     reopened ─dispatch→ dispatched            (not true ─→ closed)
///     rectified / closed (found true) ─activity again→ reopened, and a new rebound clue issued
///
/// An import never moves a clue back along `order`; a closed clue takes no more results (but a
/// look-back's). A true clue is closed only with its sign-off: rectified, an approver and evidence.
public enum ClueStatus: String, Sendable, CaseIterable {
    case issued, dispatched, verified, rectifying, rectified, closed, reopened

    /// The order a clue moves through.
    static let order: [ClueStatus] = [.issued, .dispatched, .reopened, .verified, .rectifying, .rectified, .closed]

    /// Open clues absorb re-detections of their site.
    public var isOpen: Bool { [.issued, .dispatched, .verified, .rectifying, .reopened].contains(self) }

    /// The status as the department's ledgers name it.
    public var label: String {
        switch self {
        case .issued: return "已下发"
        case .dispatched: return "核查中"
        case .verified: return "已核查"
        case .rectifying: return "整改中"
        case .rectified: return "已整改待验收"
        case .closed: return "已销号"
        case .reopened: return "已重新打开"
        }
    }

    /// The stage whose deadline runs while a clue has this status: the field check, the
    /// rectification or the acceptance; nil for a closed clue.
    public var stage: Stage? {
        switch self {
        case .issued, .dispatched, .reopened: return .verify
        case .verified, .rectifying: return .rectify
        case .rectified: return .accept
        case .closed: return nil
        }
    }

    /// A stage of a clue's life that has a deadline.
    public enum Stage: String, Sendable, CaseIterable {
        case verify, rectify, accept

        public var label: String {
            switch self {
            case .verify: return "核查"
            case .rectify: return "整改"
            case .accept: return "验收销号"
            }
        }
    }

    /// After `export --dispatch`: issued and reopened clues go to the field; others stay as they are.
    public var dispatched: ClueStatus { self == .issued || self == .reopened ? .dispatched : self }

    /// What a new patch on this clue's site means: the same problem seen again, or activity
    /// back on a site that was dealt with (a rebound). A site the team found not true stays merged
    /// unless it has grown (then there is something new to see), and so does imagery taken on or
    /// before the day the site was dealt with (`dealtWithOn`): it shows the problem that was
    /// dealt with, not a new one.
    public func redetection(result: VerificationResult?, detected: CalendarDay? = nil,
                            dealtWithOn: CalendarDay? = nil, grown: Bool = false) -> Redetection {
        if let detected, let dealtWithOn, detected <= dealtWithOn { return .merged }
        return !isOpen && (result != .notConfirmed || grown) ? .rebound : .merged
    }

    public enum Redetection: Sendable, Equatable { case merged, rebound }

    /// The status a team's verification row asks for: from its result, unless it states a stage
    /// itself (整改中, 已整改, 已销号). A site found not true cannot be rectified; it is closed at once.
    public static func verified(result: VerificationResult, stated: ClueStatus?) -> Result<ClueStatus, Refusal> {
        if let stated, [.rectifying, .rectified].contains(stated), result == .notConfirmed {
            return .failure(Refusal("a clue found not true cannot be rectified"))
        }
        if let stated, [.rectifying, .rectified, .closed].contains(stated) { return .success(stated) }
        return .success(result == .notConfirmed ? .closed : .verified)
    }

    /// Whether a clue with this status may move to `target` by a verification, or why not.
    public func accepts(_ target: ClueStatus) -> Refusal? {
        if self == .closed { return Refusal("already closed") }
        guard let from = Self.order.firstIndex(of: self), let to = Self.order.firstIndex(of: target), to >= from else {
            return Refusal("already \(rawValue); it cannot go back to \(target.rawValue)")
        }
        return nil
    }

    /// Why a move is refused, in words for the import's report.
    public struct Refusal: Error, Equatable, Sendable {
        public let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
