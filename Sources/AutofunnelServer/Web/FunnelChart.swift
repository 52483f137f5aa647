import AutofunnelCore
import AutofunnelEngine
import Foundation

/// The funnel as SVG drawn on the server: a centred bar per stage, as wide as the share of deals that reached it,
/// with the count, the share and the step conversion; a step that widens (more deals than the step before — moves
/// that skip or come back) is marked.
struct FunnelChart {
    struct Bar {
        let key: String
        let name: String
        let x: Int
        let y: Int
        let width: Int
        let textY: Int
        let label: String
        let step: String
        let widens: Bool
    }
    let width: Int
    let height: Int
    let title: String
    let bars: [Bar]

    static let barHeight = 34
    static let gap = 10

    init(_ report: ConversionReport, viewer: WebViewer) {
        let inner = 400
        let top = report.steps.map(\.reached).max() ?? 0
        width = 900
        title = viewer.ru ? "Воронка: сколько сделок дошло до каждого этапа" : "Funnel: how many deals reached each stage"
        var bars: [Bar] = []
        for (index, step) in report.steps.enumerated() {
            let share = top == 0 ? 0 : Double(step.reached) / Double(top)
            let w = max(4, Int((Double(inner) * share).rounded()))
            let y = index * (Self.barHeight + Self.gap) + 8
            let conversion = step.stepConversion.map { String(format: "%.0f %%", $0 * 100) } ?? "—"
            let share100 = String(format: "%.0f %%", step.shareOfAll * 100)
            bars.append(
                Bar(
                    key: step.stage.rawValue, name: viewer.text(step.name), x: 300 + (inner - w) / 2, y: y, width: w, textY: y + 22,
                    label: "\(viewer.text(step.name)) — \(step.reached) (\(share100))",
                    step: (viewer.ru ? "шаг " : "step ") + conversion + (step.widens ? (viewer.ru ? " ⚠ расширение" : " ⚠ widens") : ""),
                    widens: step.widens))
        }
        self.bars = bars
        height = max(60, report.steps.count * (Self.barHeight + Self.gap) + 16)
    }
}
