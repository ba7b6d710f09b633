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

    /// The streamed files' digits written straight into the buffer are `fixed`'s, trimmed or not.
    @Test func bufferedDigitsAreTheFixedText() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("redline-digits-\(getpid()).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var state: UInt64 = 99
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var cases: [(Double, Int)] = [(0, 0), (0, 7), (-0.00000001, 7), (89.0, 7), (-1.5, 0), (1e20, 2), (9.99999999, 7), (.nan, 2)]
        for _ in 0..<5_000 { cases.append(((next() - 0.3) * pow(10, next() * 12 - 4), Int(next() * 8))) }
        let file = try StreamedFile(path: path)
        var expected = ""
        for (value, decimals) in cases {
            file.append(fixed: value, decimals: decimals)
            file.append(byte: 32)
            file.append(fixed: value, decimals: decimals, trimmingZeros: true)
            file.append(byte: 10)
            var trimmed = TableWriter.fixed(value, decimals)
            if trimmed.contains(".") {
                while trimmed.hasSuffix("0") && !trimmed.hasSuffix(".0") { trimmed.removeLast() }
            }
            expected += TableWriter.fixed(value, decimals) + " " + trimmed + "\n"
        }
        try file.finish()
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written == expected)
    }

    @Test func edgeCases() {
        #expect(TableWriter.fixed(0, 2) == "0.00")
        #expect(TableWriter.fixed(-0.001, 2) == "0.00")
        #expect(TableWriter.fixed(-1.5, 0) == "-2")
        #expect(TableWriter.fixed(161_136.015, 2) == String(format: "%.2f", TableWriter.round(161_136.015, 2)))
        #expect(TableWriter.fixed(89.3, 7) == "89.3000000")
        #expect(TableWriter.fixed(1e20, 2) == String(format: "%.2f", 1e20))
    }

    /// What summary.json is written with, read back by Foundation's own parser.
    @Test func jsonValuesReadBackAsWritten() throws {
        let tricky = "引号\"反斜杠\\换行\n制表\t\u{1}/end"
        let document: JSONValue = [
            "text": .string(tricky), "int": .int(-42), "double": .double(0.1), "tiny": .double(1e-5),
            "big": .double(1234567.89), "infinite": .double(.infinity), "none": .null,
            "empty_list": .array([]), "empty_object": .object([:]),
            "nested": .array([["b": .int(2), "a": .int(1)], .string("x")]),
        ]
        var text = ""
        document.write(to: &text, indent: "")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["text"] as? String == tricky)
        #expect(parsed["int"] as? Int == -42)
        #expect(parsed["double"] as? Double == 0.1 && parsed["tiny"] as? Double == 1e-5)
        #expect(parsed["big"] as? Double == 1234567.89)
        #expect(parsed["infinite"] is NSNull && parsed["none"] is NSNull)
        #expect((parsed["empty_list"] as? [Any])?.isEmpty == true)
        #expect((parsed["empty_object"] as? [String: Any])?.isEmpty == true)
        let nested = try #require(parsed["nested"] as? [Any])
        #expect((nested[0] as? [String: Int]) == ["a": 1, "b": 2] && nested[1] as? String == "x")
        // Keys sorted, two-space indents, as people diff it.
        #expect(text.hasPrefix("{\n  \"big\" : 1234567.89,\n  \"double\" : 0.1,"))
    }
}

@Suite struct SpreadsheetCellTests {
    @Test func longValuesAreCutToExcelsLimitWithAMarker() {
        let long = String(repeating: "采", count: 1_000_000)
        let cell = SafeText.spreadsheetCell(long)
        #expect(cell.utf16.count <= 32_767)
        #expect(cell.hasSuffix("…[truncated: 1000000 characters in all]"))
        #expect(cell.hasPrefix("采采采"))
        let exact = String(repeating: "a", count: 32_767)
        #expect(SafeText.spreadsheetCell(exact) == exact)
    }

    @Test func charactersXMLCannotHoldAreDropped() {
        #expect(SafeText.spreadsheetCell("采\u{1}矿\u{FFFF}\t区") == "采矿\t区")
        #expect(SafeText.html("a\u{0}<b\u{1B}") == "a&lt;b")
    }
}
