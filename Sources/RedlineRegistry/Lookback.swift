import DigestKit
import Foundation
import GDALKit
import RedlineCore

/// What a look-back campaign (回头看) samples: which sites dealt with, how many, in which strata,
/// and the seed that makes the draw reproducible.
public struct LookbackPlan: Sendable {
    /// How many of each stratum: a share (rounded up, so a stratum with a site gets at least one)
    /// or a count per stratum.
    public enum Sample: Sendable, Equatable, CustomStringConvertible {
        case share(Double)
        case count(Int)

        /// "20%" or "15" (a count); nil for anything else (0.2 could mean either).
        public init?(text: String) {
            let value = text.trimmingCharacters(in: .whitespaces)
            if value.hasSuffix("%"), let percent = Double(value.dropLast()), percent.isFinite, percent > 0, percent <= 100 {
                self = .share(percent / 100)
            } else if let count = Int(value), count > 0 {
                self = .count(count)
            } else {
                return nil
            }
        }

        /// How many of a stratum of `size` sites are drawn.
        func drawn(of size: Int) -> Int {
            switch self {
            case .share(let share): return min(size, Int((Double(size) * share - 1e-9).rounded(.up)))
            case .count(let count): return min(size, count)
            }
        }

        public var description: String {
            switch self {
            case .share(let share): return "\((share * 100).formatted(.number.precision(.fractionLength(0...4))))%"
            case .count(let count): return "\(count)"
            }
        }
    }

    /// What a stratified sample draws within.
    public enum Strata: String, Sendable, CaseIterable {
        case county, activity, severity

        func key(of clue: RegisteredClue) -> String {
            switch self {
            case .county: return "\(clue[.countyCode]) \(clue[.countyName])".trimmingCharacters(in: .whitespaces)
            case .activity: return clue[.activityTypeLabel]
            case .severity: return clue[.severity]
            }
        }
    }

    /// The statuses a look-back can draw: sites dealt with.
    public static let statuses: Set<ClueStatus> = [.rectified, .closed]

    public var campaign: String
    public var sample: Sample
    public var statuses: Set<ClueStatus>
    public var stratify: Strata?
    public var seed: String

    public init(campaign: String, sample: Sample, statuses: Set<ClueStatus>, stratify: Strata?, seed: String) {
        self.campaign = campaign
        self.sample = sample
        self.statuses = statuses
        self.stratify = stratify
        self.seed = seed
    }

    /// A seed to print when none was given, so the same draw can be made again.
    public static func newSeed() -> String {
        String(UInt32.random(in: .min ... .max), radix: 16)
    }
}

/// The sites a look-back drew, stratum by stratum.
public struct LookbackDraw: Sendable {
    public struct Stratum: Sendable, Equatable {
        public let name: String
        public let eligible: Int
        public let drawn: Int
    }

    public let clues: [RegisteredClue]
    public let strata: [Stratum]
}

/// Draws look-back samples from the registry and records them as campaigns. A site is eligible
/// when its clue has a status of the plan, is the latest of its site (not superseded), was a
/// true problem (a site found not true was never rectified), and awaits no other look-back.
/// Within each stratum the sites are ranked by SHA-256 of the seed and the clue ID, so a draw
/// depends only on the seed and the eligible sites, not on the order rows come from the database.
public struct Lookback {
    public let registry: Registry
    public let actor: String

    public init(registry: Registry, actor: String = Actor.login()) {
        self.registry = registry
        self.actor = actor
    }

    public func draw(_ plan: LookbackPlan) throws -> LookbackDraw {
        let eligible = try registry.allClues().filter { clue in
            let life = clue.lifecycle
            return plan.statuses.contains(life.status) && life.supersededBy == nil && life.lookback == nil
                && life.result != .notConfirmed
        }
        let groups = Dictionary(grouping: eligible) { plan.stratify?.key(of: $0) ?? "" }
        var clues: [RegisteredClue] = []
        var strata: [LookbackDraw.Stratum] = []
        for (name, members) in groups.sorted(by: { $0.key < $1.key }) {
            let ranked = members.map { (rank: Self.rank($0.clueID, seed: plan.seed), clue: $0) }.sorted { $0.rank < $1.rank }
            let count = plan.sample.drawn(of: members.count)
            clues += ranked.prefix(count).map(\.clue)
            strata.append(.init(name: name, eligible: members.count, drawn: count))
        }
        return LookbackDraw(clues: clues, strata: strata)
    }

    static func rank(_ clueID: String, seed: String) -> String {
        let hash = SHA256()
        hash.update(Array((seed + "\u{1f}" + clueID).utf8))
        return hash.hexDigest()
    }

    /// Draws the sample, marks its clues as awaiting the campaign's result, records the campaign
    /// and writes the clues into `destination` as a check's outputs (for `redline checklist`).
    /// All of it or nothing: a campaign name already used, or an empty draw, is refused.
    @discardableResult
    public func run(_ plan: LookbackPlan, into destination: URL) throws -> LookbackDraw {
        let campaigns = try registry.campaigns()
        if try !Registry.rows(campaigns, filter: "name = \(Registry.quoted(plan.campaign))").isEmpty {
            throw RedlineError.badOption("--campaign: the registry already has a campaign “\(plan.campaign)” — "
                                         + "choose another name")
        }
        let drawn = try draw(plan)
        guard !drawn.clues.isEmpty else {
            throw RedlineError.badOption("--status: no site is eligible: none is "
                                         + plan.statuses.map(\.rawValue).sorted().joined(separator: " or ")
                                         + " without a look-back already pending — nothing was drawn")
        }
        let now = Registry.timestamp()
        let marked = drawn.clues.map { clue -> RegisteredClue in
            var marked = clue
            marked.lifecycle.lookback = plan.campaign
            marked.lifecycle.updatedAt = now
            return marked
        }
        let statuses = plan.statuses.map(\.rawValue).sorted()
        try registry.begin()
        do {
            for (before, after) in zip(drawn.clues, marked) {
                try registry.update(before, lifecycle: after.lifecycle)
                try registry.addEvent(clue: before.clueID, kind: "lookback_drawn", from: before.status.rawValue, to: before.status.rawValue,
                                      source: plan.campaign, actor: actor,
                                      detail: "seed \(plan.seed)" + (plan.stratify.map { "; \($0.rawValue) \($0.key(of: before))" } ?? ""))
            }
            try campaigns.write(named: [
                ("name", .string(plan.campaign)), ("kind", .string("lookback")), ("created_at", .string(now)), ("actor", .string(actor)),
                ("seed", .string(plan.seed)), ("sample", .string(plan.sample.description)),
                ("statuses", .string(statuses.joined(separator: ","))),
                ("stratify", plan.stratify.map { .string($0.rawValue) } ?? .null), ("clues", .integer(Int64(marked.count))),
                ("folder", .string(destination.path)),
            ])
            // Written inside the transaction: a failed write leaves no campaign whose clues wait for nothing.
            try RegistryExport(registry: registry, actor: actor)
                .write(marked, to: destination, filters: ["lookback": [plan.campaign], "seed": [plan.seed],
                                                          "sample": [plan.sample.description], "status": statuses,
                                                          "stratify": plan.stratify.map { [$0.rawValue] } ?? []])
            try registry.commit()
        } catch {
            registry.rollback()
            throw error
        }
        return LookbackDraw(clues: marked, strata: drawn.strata)
    }
}
