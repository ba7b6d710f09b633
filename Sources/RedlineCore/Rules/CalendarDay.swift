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
    /// The local day of a UTC timestamp such as the registry keeps (2026-11-30T17:30:00Z is
    /// 1 December in Beijing): the day a person there would name. A plain day is itself.
    public init?(timestamp: String) {
        let text = timestamp.trimmingCharacters(in: .whitespaces)
        guard text.count > 10 else {
            self.init(text: text)
            return
        }
        let plain = ISO8601DateFormatter(), fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else { return nil }
        let parts = Calendar.current.dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year!, month: parts.month!, day: parts.day!)
    }

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
