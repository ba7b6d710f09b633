import Foundation

/// A date without a time: when a patch was detected, or the first and last day a boundary
/// version was in force. Reads the ways dates are written in real data.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...Self.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Reads 2026-09-20, 2026/9/20, 2026.09.20, 20260920, 2026年9月20日, and any of these followed
    /// by a time (2026-09-20T10:30:00Z, 2026/09/20 10:30:00 as GDAL writes date-times). Nil when
    /// the text is not such a date.
    public init?(text: String) {
        // A hand-rolled scan: dates are parsed for every patch, and Foundation's splitting was slow.
        var groups: [Int] = [], digits: [Int] = []
        var current = 0, length = 0
        scan: for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9":
                guard length < 8 else { return nil }
                current = current * 10 + Int(scalar.value - 48)
                length += 1
            case "-", "/", ".", "年", "月", "日", "T", " ", "\t":
                if length > 0 {
                    groups.append(current)
                    digits.append(length)
                    (current, length) = (0, 0)
                }
                // A time follows the date: stop there.
                if (scalar == "T" || scalar == " ") && !groups.isEmpty { break scan }
            default:
                return nil
            }
        }
        if length > 0 {
            groups.append(current)
            digits.append(length)
        }
        if digits == [8] {
            self.init(year: groups[0] / 10_000, month: groups[0] / 100 % 100, day: groups[0] % 100)
        } else if groups.count == 3, digits[0] == 4, digits[1] <= 2, digits[2] <= 2 {
            self.init(year: groups[0], month: groups[1], day: groups[2])
        } else {
            return nil
        }
    }

    /// Today in the machine's time zone.
    /// The local day of a timestamp such as the registry keeps (2026-11-30T17:30:00Z is
    /// 1 December in Beijing): the day a person there would name. Reads YYYY-MM-DDTHH:MM:SS, an
    /// optional fraction, then Z or ±HH:MM; a time without a zone is local time (as ISO 8601
    /// reads it), so its day is the one written; a plain day is itself. Scanned by
    /// hand: reports read it for every clue many times, and Foundation's ISO formatter cost a
    /// quarter of a millisecond each.
    public init?(timestamp: String) {
        let blank = CharacterSet.whitespaces
        if let first = timestamp.unicodeScalars.first, let last = timestamp.unicodeScalars.last,
           blank.contains(first) || blank.contains(last) {
            self.init(timestamp: timestamp.trimmingCharacters(in: .whitespaces))
            return
        }
        let bytes = Array(timestamp.utf8)
        guard bytes.count > 10 else {
            self.init(text: timestamp)
            return
        }
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<(from + count)] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"),
              bytes[16] == UInt8(ascii: ":"), let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              hour < 24, minute < 60, second < 61, let writtenDay = CalendarDay(year: year, month: month, day: day) else { return nil }
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        }
        guard index < bytes.count else {
            self = writtenDay
            return
        }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z") where index == bytes.count - 1:
            break
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            // ±HH, ±HHMM or ±HH:MM.
            let sign = bytes[index] == UInt8(ascii: "+") ? 1 : -1, rest = bytes.count - index - 1
            guard rest == 2 || rest == 4 || (rest == 5 && bytes[index + 3] == UInt8(ascii: ":")),
                  let hours = number(index + 1, 2), let minutes = rest == 2 ? 0 : number(index + rest - 1, 2) else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        default:
            return nil
        }
        let epoch = Self.unixEpoch
        let utcSeconds = writtenDay.days(since: epoch) * 86_400 + hour * 3600 + minute * 60 + second - offset
        let local = utcSeconds + Self.zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utcSeconds)))
        guard let localDay = epoch.adding(days: Int((Double(local) / 86_400).rounded(.down))) else { return nil }
        self = localDay
    }

    private static let unixEpoch = CalendarDay(year: 1970, month: 1, day: 1)!
    /// The process's time zone, read once (TimeZone.current is not free).
    private static let zone = TimeZone.current

    /// The day's local midnight as a UTC timestamp (2026-11-01 in Beijing: 2026-10-31T16:00:00Z),
    /// for records that must read back as this day wherever they are read here.
    public var startTimestamp: String {
        let start = Calendar.current.date(from: DateComponents(year: year, month: month, day: day))!
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime]
        return format.string(from: start)
    }

    public static func today() -> CalendarDay {
        let parts = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        return CalendarDay(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// The days a detection date can fall on: change detection needs satellite imagery, and there
    /// was none before Landsat 1 (launched 1972-07-23); nor can it be more than a month after `today`.
    public static func plausibleDetections(today: CalendarDay = .today()) -> ClosedRange<CalendarDay> {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let start = utc.date(from: DateComponents(year: today.year, month: today.month, day: today.day))!
        let parts = utc.dateComponents([.year, .month, .day], from: utc.date(byAdding: .day, value: 31, to: start)!)
        return CalendarDay(year: 1972, month: 7, day: 23)!...CalendarDay(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// "2026Q3": the quarter, as clue batches are named.
    public var quarter: String { "\(year)Q\((month - 1) / 3 + 1)" }

    public var description: String {
        let pad = { (value: Int, width: Int) in String(repeating: "0", count: max(0, width - String(value).count)) + String(value) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Whole days from `other` to this day.
    public func days(since other: CalendarDay) -> Int { julianDay - other.julianDay }

    /// The day `count` days later (earlier when negative); nil past the years a CalendarDay holds.
    public func adding(days count: Int) -> CalendarDay? {
        // Fliegel and Van Flandern's inverse of the Julian day number (Gregorian calendar).
        let l = julianDay + count + 68569, n = 4 * l / 146_097, l2 = l - (146_097 * n + 3) / 4
        let i = 4000 * (l2 + 1) / 1_461_001, l3 = l2 - 1461 * i / 4 + 31, j = 80 * l3 / 2447
        let day = l3 - 2447 * j / 80, l4 = j / 11
        return CalendarDay(year: 100 * (n - 49) + i + l4, month: j + 2 - 12 * l4, day: day)
    }

    /// "2026-11": the calendar month, as monthly reports are named.
    public var monthText: String { String(description.prefix(7)) }

    private var julianDay: Int {
        let a = (14 - month) / 12, y = year + 4800 - a, m = month + 12 * a - 3
        return day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// When a protected feature was in force: both ends inclusive, either open.
public struct ValidityPeriod: Sendable, Equatable {
    public let from: CalendarDay?
    public let to: CalendarDay?

    public static let always = ValidityPeriod(from: nil, to: nil)

    public init(from: CalendarDay?, to: CalendarDay?) {
        self.from = from
        self.to = to
    }

    public func contains(_ day: CalendarDay) -> Bool {
        (from.map { $0 <= day } ?? true) && (to.map { day <= $0 } ?? true)
    }
}
