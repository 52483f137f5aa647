import AutofunnelCore

/// A calendar of tasks as iCalendar text (RFC 5545) that Google Calendar, Outlook and Apple Calendar subscribe to:
/// one event per task at its due time, in UTC, each with a stable UID so a moved task moves in the calendar.
public enum CalendarFeed {
    /// The whole calendar. Lines end in CRLF and are folded at 75 octets, never inside a character.
    public static func text(_ tasks: [VisibleTask], name: String, publicURL: String, at now: Timestamp) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Autofunnel//Tasks//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "X-WR-CALNAME:" + escape(name), "REFRESH-INTERVAL;VALUE=DURATION:PT15M", "X-PUBLISHED-TTL:PT15M",
        ]
        let host = publicURL.split(separator: "/").dropFirst().first.map(String.init) ?? "autofunnel"
        for item in tasks {
            let t = item.task
            let link = "\(publicURL)/deals/\(item.deal.id)"
            lines += [
                "BEGIN:VEVENT", "UID:task-\(t.id)@\(host)", "DTSTAMP:" + utc(now), "DTSTART:" + utc(t.dueAt),
                "DURATION:" + (t.kind == .meeting ? "PT1H" : t.kind == .call ? "PT15M" : "PT30M"),
                "SUMMARY:" + escape(t.title), "DESCRIPTION:" + escape(item.deal.title + "\n" + (t.text.map { $0 + "\n" } ?? "") + link),
                "URL:" + link, "CATEGORIES:" + t.kind.rawValue.uppercased(),
                "STATUS:" + (t.status == .open ? "CONFIRMED" : "CANCELLED"), "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// `20261123T140500Z`.
    static func utc(_ t: Timestamp) -> String {
        let l = TimeZoneName.utc.local(t)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return l.dateText.replacingOccurrences(of: "-", with: "") + "T" + two(l.hour) + two(l.minute)
            + two(Int((t.millis % 60_000 + 60_000) % 60_000 / 1000)) + "Z"
    }

    /// A TEXT value: backslash, semicolon, comma and line breaks escaped; other control characters dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n": out += "\\n"
            case "\r": continue
            default: if scalar.value >= 0x20 && scalar.value != 0x7F { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// A content line folded into lines of at most 75 octets, continuations starting with a space.
    static func fold(_ line: String) -> String {
        var out: [String] = []
        var current = ""
        var octets = 0
        for character in line {
            let size = character.utf8.count
            if octets + size > (out.isEmpty ? 75 : 74) {
                out.append(current)
                current = ""
                octets = 0
            }
            current.append(character)
            octets += size
        }
        out.append(current)
        return out.joined(separator: "\r\n ")
    }
}
