/// Help discussions are written with line breaks at about 100 columns, for reading in the source;
/// ArgumentParser wraps them again to the terminal, which left every paragraph ragged. Reflowed,
/// a break inside a paragraph becomes a space; blank lines, indented lines (examples, the exit
/// table) and list items keep their own lines.
enum HelpText {
    static func reflowed(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if let last = lines.last, isProse(last), isProse(line), !line.hasPrefix("- ") {
                lines[lines.count - 1] = last + " " + line
            } else {
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func isProse(_ line: String) -> Bool {
        guard let first = line.first else { return false }
        return !first.isWhitespace
    }
}
