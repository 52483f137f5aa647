import AutofunnelCore
import AutofunnelEngine
import Foundation

/// CSV (RFC 4180) downloads of the reports.
enum ReportCSV {
    static func field(_ raw: String) -> String {
        // A text that a spreadsheet would run as a formula (a loss comment starting with "=") is kept as text.
        let value = raw.first.map { "=+-@\t\r".contains($0) } == true && Double(raw) == nil ? "'" + raw : raw
        return value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func ratio(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "" }

    static func conversion(_ r: ConversionReport) -> String {
        table(
            ["stage", "name_en", "name_ru", "reached", "share_of_all", "step_conversion", "entered", "widens", "backward_rate"],
            r.steps.map {
                [
                    $0.stage.rawValue, $0.name.en, $0.name.ru, String($0.reached), ratio($0.shareOfAll), ratio($0.stepConversion), String($0.entered),
                    $0.widens ? "yes" : "no", ratio($0.backwardRate),
                ]
            })
    }

    static func losses(_ r: LossReport) -> String {
        table(
            ["reason", "name_en", "name_ru", "count", "amounts", "lost_from", "recent_comments"],
            r.reasons.map { reason in
                [
                    reason.reason.rawValue, reason.name.en, reason.name.ru, String(reason.count),
                    reason.amounts.map(DealChanges.render).joined(separator: "; "),
                    reason.fromStage.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key): \($0.value)" }.joined(separator: "; "),
                    reason.comments.joined(separator: " | "),
                ]
            })
    }

    static func revenue(_ r: RevenueReport) -> String {
        table(
            ["month", "currency", "won", "revenue"],
            r.rows.map { [$0.month, $0.currency?.code ?? "", String($0.won), $0.revenue?.decimalText ?? ""] })
    }

    static func stageTimes(_ r: StageTimeReport) -> String {
        func opt(_ v: Int64?) -> String { v.map(String.init) ?? "" }
        return table(
            ["stage", "name_en", "name_ru", "visits", "p50_ms", "p90_ms", "open_now", "over_limit", "key_stage", "oldest_ms"],
            r.stages.map {
                [
                    $0.stage.rawValue, $0.name.en, $0.name.ru, String($0.visits), opt($0.p50Millis), opt($0.p90Millis), String($0.openNow),
                    String($0.overLimit),
                    $0.isKeyStage ? "yes" : "no", opt($0.oldestMillis),
                ]
            })
    }

    static func managers(_ r: ManagerReport) -> String {
        table(
            ["responsible_id", "stage", "entered", "advanced", "conversion"],
            r.rows.map {
                [$0.responsible.map(\.description) ?? "", $0.stage.rawValue, String($0.entered), String($0.advanced), ratio($0.conversion)]
            })
    }

    static func cohorts(_ r: CohortReport) -> String {
        table(
            ["cohort", "created", "won", "lost", "open", "won_within_30_days", "won_within_90_days", "conversion"],
            r.rows.map {
                [
                    $0.cohort, String($0.created), String($0.won), String($0.lost), String($0.open), String($0.wonWithin30Days),
                    String($0.wonWithin90Days),
                    ratio($0.conversion),
                ]
            })
    }
}

extension ReportCSV {
    static func forecast(_ r: ForecastReport) -> String {
        table(
            ["month", "currency", "deals", "amount", "expected"],
            r.rows.map { [$0.month, $0.currency.code, String($0.deals), $0.amount.decimalText, $0.expected.decimalText] })
    }

    static func lineage(_ r: LineageReport) -> String {
        table(
            ["pipeline", "name_en", "name_ru", "reached", "won", "step_conversion", "share_of_started"],
            r.steps.map {
                [
                    $0.pipeline.rawValue, $0.name.en, $0.name.ru, String($0.reached), String($0.won), ratio($0.stepConversion),
                    ratio($0.shareOfStarted),
                ]
            })
    }
}
