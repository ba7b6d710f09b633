import Foundation
import GDALKit
import RedlineCore
@testable import RedlineRegistry
import Testing
import TestSupport

/// The clue state machine, move by move, against a table written out by hand from the
/// supervision rules (not from the code): what a team's row may do, what a re-detection means,
/// what dispatching changes.
@Suite struct ClueLifecycleTests {
    /// For each status, the verification targets a row may move it to.
    static let allowed: [ClueStatus: Set<ClueStatus>] = [
        .issued: [.verified, .rectifying, .rectified, .closed],
        .dispatched: [.verified, .rectifying, .rectified, .closed],
        .reopened: [.verified, .rectifying, .rectified, .closed],
        .verified: [.verified, .rectifying, .rectified, .closed],
        .rectifying: [.rectifying, .rectified, .closed],
        .rectified: [.rectified, .closed],
        .closed: [],
    ]

    @Test(arguments: ClueStatus.allCases)
    func verificationsNeverMoveAClueBack(_ status: ClueStatus) {
        for target in [ClueStatus.verified, .rectifying, .rectified, .closed] {
            let refusal = status.accepts(target)
            #expect((refusal == nil) == Self.allowed[status]!.contains(target), "\(status) → \(target): \(refusal?.reason ?? "ok")")
        }
        #expect(ClueStatus.closed.accepts(.closed)?.reason == "already closed")
        #expect(ClueStatus.rectified.accepts(.verified)?.reason == "already rectified; it cannot go back to verified")
    }

    @Test func aRowsResultAndStatedStatusGiveItsTarget() {
        let rows: [(VerificationResult, ClueStatus?, ClueStatus?)] = [
            (.confirmed, nil, .verified), (.partly, nil, .verified), (.notConfirmed, nil, .closed),
            (.confirmed, .verified, .verified), (.notConfirmed, .verified, .closed),
            (.confirmed, .rectified, .rectified), (.partly, .rectified, .rectified), (.notConfirmed, .rectified, nil),
            (.confirmed, .closed, .closed), (.notConfirmed, .closed, .closed),
            (.confirmed, .rectifying, .rectifying), (.partly, .rectifying, .rectifying), (.notConfirmed, .rectifying, nil),
        ]
        for (result, stated, expected) in rows {
            let target = try? ClueStatus.verified(result: result, stated: stated).get()
            #expect(target == expected, "\(result) + \(stated?.rawValue ?? "no status")")
        }
    }

    @Test func activityBackOnADealtWithSiteIsARebound() {
        for status in ClueStatus.allCases {
            for result in [nil] + VerificationResult.allCases.map(Optional.some) {
                // Only a site dealt with (rectified or closed) and not found untrue can rebound.
                let expected: ClueStatus.Redetection = (status == .rectified || status == .closed) && result != .notConfirmed
                    ? .rebound : .merged
                #expect(status.redetection(result: result) == expected, "\(status) \(result?.rawValue ?? "-")")
            }
        }
    }

    /// Imagery taken on or before the day a site was dealt with shows the old problem, not a new one.
    @Test func olderImageryOfADealtWithSiteIsNoRebound() throws {
        let fixed = try #require(CalendarDay(text: "2026-11-01"))
        for status in [ClueStatus.rectified, .closed] {
            #expect(status.redetection(result: .confirmed, detected: CalendarDay(text: "2026-09-20"), dealtWithOn: fixed) == .merged)
            #expect(status.redetection(result: .confirmed, detected: fixed, dealtWithOn: fixed) == .merged)
            #expect(status.redetection(result: .confirmed, detected: CalendarDay(text: "2026-11-02"), dealtWithOn: fixed) == .rebound)
            #expect(status.redetection(result: .confirmed, detected: nil, dealtWithOn: fixed) == .rebound, "undated: the safe side")
        }
    }

    /// Each open or rectified status runs one stage's deadline: the field check, the
    /// rectification, the acceptance; a closed clue none.
    @Test func eachStatusRunsTheDeadlineOfItsStage() {
        let expected: [ClueStatus: ClueStatus.Stage?] = [.issued: .verify, .dispatched: .verify, .reopened: .verify,
                                                          .verified: .rectify, .rectifying: .rectify, .rectified: .accept, .closed: nil]
        for status in ClueStatus.allCases { #expect(status.stage == expected[status]!, "\(status)") }
    }

    @Test func dispatchSendsOnlyWhatWaitsForTheField() {
        let expected: [ClueStatus: ClueStatus] = [.issued: .dispatched, .reopened: .dispatched, .dispatched: .dispatched,
                                                  .verified: .verified, .rectifying: .rectifying, .rectified: .rectified,
                                                  .closed: .closed]
        for status in ClueStatus.allCases { #expect(status.dispatched == expected[status]) }
    }
}
