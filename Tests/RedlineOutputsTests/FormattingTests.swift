import Foundation
@testable import RedlineOutputs
import Testing

@Suite struct FormattingTests {
    /// Against printf formatting of the already-rounded value, which prints it exactly: a seeded
    /// sweep over magnitudes, signs and decimal counts.
    @Test(arguments: [UInt64(7), 2026])
    func fixedDecimalsMatchPrintfOfTheRoundedValue(seed: UInt64) {
        var state = seed
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        for _ in 0..<20_000 {
            let value = (next() - 0.3) * pow(10, next() * 12 - 4)
            let decimals = Int(next() * 8)
            var expected = String(format: "%.\(decimals)f", TableWriter.round(value, decimals))
            // printf keeps the sign of a negative value that rounds to zero ("-0.00"); we do not.
            if expected.hasPrefix("-"), expected.allSatisfy({ "-0.".contains($0) }) { expected.removeFirst() }
            #expect(TableWriter.fixed(value, decimals) == expected, "seed \(seed): \(value) to \(decimals) decimals")
        }
    }

    @Test func edgeCases() {
        #expect(TableWriter.fixed(0, 2) == "0.00")
        #expect(TableWriter.fixed(-0.001, 2) == "0.00")
        #expect(TableWriter.fixed(-1.5, 0) == "-2")
        #expect(TableWriter.fixed(161_136.015, 2) == String(format: "%.2f", TableWriter.round(161_136.015, 2)))
        #expect(TableWriter.fixed(89.3, 7) == "89.3000000")
        #expect(TableWriter.fixed(1e20, 2) == String(format: "%.2f", 1e20))
    }
}
