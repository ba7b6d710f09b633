import RedlineCore
import Testing

/// What a value from the data may hold that the outputs must not: control characters (C0 but tab,
/// line feed and carriage return; DEL; C1) and U+FFFD, the mark of undecodable bytes.
@Suite struct DataTextTests {
    @Test func controlsAndReplacementsAreFoundInOnePass() {
        #expect(DataText.findings(in: "采矿\t区\r\n") == [])
        #expect(DataText.findings(in: "a\u{1}b") == [.controls])
        #expect(DataText.findings(in: "a\u{7F}") == [.controls])
        #expect(DataText.findings(in: "a\u{85}b") == [.controls], "C1 next line, C2 85 in UTF-8")
        #expect(DataText.findings(in: "\u{A0}") == [], "no-break space, C2 A0, is text")
        #expect(DataText.findings(in: "鏍稿績\u{FFFD}") == [.replacement])
        #expect(DataText.findings(in: "\u{FFFD}\u{1B}[31m") == [.controls, .replacement])
        #expect(DataText.findings(in: "\u{FFFC}") == [], "EF BF BC is not the replacement character")
    }

    @Test func strippingKeepsEverythingButControls() {
        #expect(DataText.withoutControls("采矿\u{1}\u{1B}[31m\nforged\u{85}") == "采矿[31m\nforged")
        #expect(DataText.withoutControls("clean\tvalue") == nil)
        #expect(DataText.withoutControls("\u{202E}RTL") == nil, "bidi marks stay in the data; terminals get them escaped")
    }
}
