import RedlineCore

/// Where a clue is in its life, and every move it can make: the registry's one state machine.
///
///     issued ─dispatch→ dispatched ─verify→ verified ─rectify→ rectified ─close→ closed
///     reopened ─dispatch→ dispatched            (not true ─→ closed)
///     rectified / closed (found true) ─activity again→ reopened, and a new rebound clue issued
///
/// An import never moves a clue back along `order`; a closed clue takes no more results.
public enum ClueStatus: String, Sendable, CaseIterable {
    case issued, dispatched, verified, rectified, closed, reopened

    /// The order a clue moves through.
    static let order: [ClueStatus] = [.issued, .dispatched, .reopened, .verified, .rectified, .closed]

    /// Open clues absorb re-detections of their site.
    public var isOpen: Bool { self == .issued || self == .dispatched || self == .verified || self == .reopened }

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

    /// The status a team's verification row asks for: from its result, unless it states
    /// rectified (已整改) or closed (已销号) itself. A site found not true cannot be rectified.
    public static func verified(result: VerificationResult, stated: ClueStatus?) -> Result<ClueStatus, Refusal> {
        if stated == .rectified && result == .notConfirmed { return .failure(Refusal("a clue found not true cannot be rectified")) }
        if let stated, stated == .rectified || stated == .closed { return .success(stated) }
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
