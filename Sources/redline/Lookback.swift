import ArgumentParser
import Foundation
import RedlineCore
import RedlineOutputs
import RedlineRegistry

struct LookbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookback",
        abstract: "Draw a look-back campaign (回头看): a reproducible sample of rectified or closed sites to inspect again.",
        discussion: HelpText.reflowed("""
        Example: redline lookback --registry registry.gpkg --sample 20% --status rectified,closed --stratify county --campaign 回头看2026Q4 --out lookback && redline checklist lookback

        Sites are drawn among clues of the given statuses that were true problems, are the latest
        clue of their site and await no other look-back. --sample 20% draws a fifth of each
        stratum (rounded up: a stratum with a site gets at least one); --sample 5 draws five of
        each. The same --seed on the same registry draws the same sites; without one a seed is
        made and printed. --dry-run shows the draw and changes nothing.

        The drawn clues are marked as awaiting the campaign, and written to --out as a check's
        outputs for `redline checklist`. The field results come back through `redline verify
        import`: 不属实 (nothing back) keeps the site as it was left; 属实 or 部分属实 raises a
        rebound clue, verified by that row, with its rectification deadline, and reopens the old one.

        \(ExitStatus.table)
        """)
    )

    @Option(help: "The clue registry (.gpkg or PG: connection string).")
    var registry: String

    @Option(help: "How many to draw: a share of each stratum (20%) or a count per stratum (5).")
    var sample: String

    @Option(help: "The statuses to draw from, comma-separated: rectified, closed.")
    var status: String = "rectified,closed"

    @Option(help: "Draw within each county, activity type or severity.")
    var stratify: String?

    @Option(help: "The draw's seed: the same seed draws the same sites (default: a new one, printed).")
    var seed: String?

    @Option(help: "The campaign's name, kept with each drawn clue (default: 回头看-<today>).")
    var campaign: String?

    @Option(help: "Output folder for the drawn clues (for `redline checklist`).")
    var out: String?

    @Flag(help: "Show the draw and change nothing.")
    var dryRun = false

    @Option(help: "How many seconds to wait for a run holding the registry.")
    var wait: Double = 30

    @OptionGroup var who: ActorOption

    func validate() throws {
        _ = try plan()
        try CheckOptions.requireNumber(wait, "--wait", in: 0...86_400)
        guard dryRun || out != nil else { throw ValidationError("--out is needed (or --dry-run to only see the draw)") }
    }

    func plan() throws -> LookbackPlan {
        guard let sample = LookbackPlan.Sample(text: sample) else {
            throw ValidationError("--sample takes a share like 20% or a count like 5, not “\(self.sample)”")
        }
        var statuses: Set<ClueStatus> = []
        for name in status.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let value = ClueStatus(rawValue: name), LookbackPlan.statuses.contains(value) else {
                throw ValidationError("--status: a look-back draws from sites dealt with — rectified, closed — not “\(name)”")
            }
            statuses.insert(value)
        }
        guard !statuses.isEmpty else { throw ValidationError("--status: give rectified, closed or both") }
        var strata: LookbackPlan.Strata?
        if let stratify {
            guard let value = LookbackPlan.Strata(rawValue: stratify) else {
                throw ValidationError("--stratify takes \(LookbackPlan.Strata.allCases.map(\.rawValue).joined(separator: ", ")), not “\(stratify)”")
            }
            strata = value
        }
        try ActorOption.requireName(campaign, "--campaign")
        try ActorOption.requireName(seed, "--seed")
        return LookbackPlan(campaign: campaign ?? "回头看-\(CalendarDay.today())", sample: sample, statuses: statuses,
                            stratify: strata, seed: seed ?? LookbackPlan.newSeed())
    }

    func run() throws {
        try Reporting.run {
            let plan = try plan()
            let store = try Registry.open(registry, readOnly: dryRun)
            let lookback = Lookback(registry: store, actor: who.actor)
            let drawn: LookbackDraw
            if dryRun {
                drawn = try lookback.draw(plan)
            } else {
                try store.lock(wait: wait)
                drawn = try lookback.run(plan, into: URL(fileURLWithPath: out!))
            }
            for stratum in drawn.strata where plan.stratify != nil {
                print("  \(stratum.name.isEmpty ? "-" : stratum.name)\t\(stratum.drawn) of \(stratum.eligible)")
            }
            let eligible = drawn.strata.map(\.eligible).reduce(0, +)
            print("\(plan.campaign): \(dryRun ? "would draw" : "drew") \(drawn.clues.count) of \(eligible) sites, seed \(plan.seed)"
                  + (seed == nil ? " (give --seed \(plan.seed) to draw the same again)" : "") + (dryRun ? "" : " → \(out!)"))
            if dryRun { for clue in drawn.clues { print("  \(clue.clueID)") } }
        }
    }
}
