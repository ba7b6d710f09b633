import Foundation

/// Making text from the data safe for where it goes: HTML and XML, spreadsheet and CSV cells,
/// file names, image addresses.
public enum SafeText {
    /// Text for HTML or XML content and attribute values.
    public static func html(_ text: String) -> String {
        escaping(text) { scalar in
            switch scalar {
            case _ where !isXMLCharacter(scalar): ""
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            case "\"": "&quot;"
            case "'": "&#39;"
            default: nil
            }
        }
    }

    /// A quoted JSON string: quotes, backslashes and control characters escaped, the rest
    /// (Chinese included) as it is.
    public static func json(_ text: String) -> String {
        "\"" + escaping(text) { scalar in
            switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case _ where scalar.value < 0x20:
                "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: nil
            }
        } + "\""
    }

    /// `text` with every scalar that `replacement` names replaced.
    private static func escaping(_ text: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let replaced = replacement(scalar) { out += replaced } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// A spreadsheet or CSV cell that would start a formula (=, +, -, @, or a tab or carriage
    /// return before one) gets a leading apostrophe, so Excel and LibreOffice show it as text.
    public static func cell(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    /// Excel holds at most this many characters (UTF-16 units) in a cell; longer text makes it
    /// report the file as damaged.
    public static let spreadsheetCellLimit = 32_767

    /// A spreadsheet string cell: without the characters XML cannot hold, and cut to Excel's
    /// limit with a marker saying how long the value was. No apostrophe before = + - @: a cell
    /// written as a string never runs as a formula, and the apostrophe would show in it.
    public static func spreadsheetCell(_ text: String) -> String {
        let safe = escaping(text) { isXMLCharacter($0) ? nil : "" }
        guard safe.utf16.count > spreadsheetCellLimit else { return safe }
        let marker = "…[truncated: \(safe.count) characters in all]"
        let room = spreadsheetCellLimit - marker.utf16.count
        var kept = "", used = 0
        for character in safe {
            used += character.utf16.count
            if used > room { break }
            kept.append(character)
        }
        return kept + marker
    }

    /// Whether XML 1.0 allows the character: no C0 controls but tab, line feed and carriage
    /// return, and not U+FFFE or U+FFFF (a document with one is ill-formed: Google Earth, Excel
    /// and browsers refuse it).
    public static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: true
        case 0..<0x20, 0xFFFE, 0xFFFF: false
        default: true
        }
    }

    /// A folder or file name that works on any file system and cannot leave its parent folder:
    /// no separators, no reserved characters, no leading dots, no reserved Windows names, at most
    /// 80 bytes of UTF-8. Results without a letter or digit become `fallback`.
    public static func fileName(_ text: String, fallback: String) -> String {
        let reserved = Set("/\\:*?\"<>|")
        var cleaned = String(text.map { character -> Character in
            let control = character.unicodeScalars.contains { $0.value < 32 || $0.value == 127 }
            return reserved.contains(character) || control ? "_" : character
        })
        cleaned = cleaned.replacingOccurrences(of: "..", with: "_")
        cleaned = cleaned.trimmingCharacters(in: CharacterSet(charactersIn: " ."))
        while cleaned.utf8.count > 80 { cleaned.removeLast() }
        cleaned = cleaned.trimmingCharacters(in: CharacterSet(charactersIn: " ."))
        let windows = ["con", "prn", "aux", "nul"] + (1...9).flatMap { ["com\($0)", "lpt\($0)"] }
        let meaningful = cleaned.contains { $0.isLetter || $0.isNumber }
        if !meaningful || windows.contains(cleaned.lowercased()) { return fallback }
        return cleaned
    }
}
