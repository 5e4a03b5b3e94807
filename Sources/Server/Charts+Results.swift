import Engagement
import Foundation

/// Survey results' charts: a diverging stacked bar per row for five-point scales, a
/// distribution for 0–10, bars for choices (`Charts.bars`). Hidden counts are drawn as dashed
/// outlines, never as a guessed value, and the description says what is hidden.
extension Charts {
    static let scaleColors = ["#b91c1c", "#f87171", "#9ca3af", "#60a5fa", "#1d4ed8"]

    /// One row per slice: points 1–2 to the left of the centre line, 3 across it, 4–5 to the
    /// right, each segment as wide as its share. A row whose hidden points are on both sides
    /// cannot be placed and says so.
    static func diverging(
        id: String,
        title: String,
        rows: [(label: String, points: [Point])],
        labels: [String],
        suppressed: String
    ) -> String {
        let width = 640
        let rowHeight = 28
        let left = 190
        let span = Double(width - left - 20)
        let centre = Double(left) + span / 2
        let height = max(1, rows.count) * rowHeight + 40
        var body = "<line x1=\"\(number(centre))\" y1=\"4\" x2=\"\(number(centre))\" y2=\"\(height - 34)\" stroke=\"#1b1b1b\"/>"
        var description: [String] = []
        for (index, row) in rows.enumerated() {
            let y = 8 + index * rowHeight
            body +=
                "<text x=\"\(left - 8)\" y=\"\(y + 15)\" font-size=\"12\" text-anchor=\"end\" fill=\"#1b1b1b\">\(escape(String(row.label.prefix(28))))</text>"
            let shares = row.points.map(\.share)
            let hidden = shares.indices.filter { shares[$0] == nil }
            let rest = max(0, 1 - shares.compactMap { $0 }.reduce(0, +))
            let leftHidden = hidden.allSatisfy { $0 < 2 }
            let rightHidden = hidden.allSatisfy { $0 > 2 }
            guard row.points.count == 5, hidden.isEmpty || leftHidden || rightHidden, shares.contains(where: { $0 != nil }) else {
                body += "<text x=\"\(left + 8)\" y=\"\(y + 15)\" font-size=\"12\" fill=\"#4b5563\">\(escape(suppressed))</text>"
                description.append("\(row.label): \(suppressed)")
                continue
            }
            // Segments from the centre outwards: the neutral half, then 4, 5 (right) or 2, 1 (left).
            func segment(_ x: Double, _ w: Double, _ fill: String?) {
                let rect = "<rect x=\"\(number(x))\" y=\"\(y + 3)\" width=\"\(number(max(0, w)))\" height=\"18\""
                body += fill.map { "\(rect) fill=\"\($0)\"/>" } ?? "\(rect) fill=\"none\" stroke=\"#4b5563\" stroke-dasharray=\"3 2\"/>"
            }
            let neutral = (shares[2] ?? 0) * span / 2
            segment(centre - neutral, neutral * 2, scaleColors[2])
            var right = centre + neutral
            for point in [3, 4] {
                guard let share = shares[point] else { continue }
                segment(right, share * span / 2, scaleColors[point])
                right += share * span / 2
            }
            var leftEdge = centre - neutral
            for point in [1, 0] {
                guard let share = shares[point] else { continue }
                leftEdge -= share * span / 2
                segment(leftEdge, share * span / 2, scaleColors[point])
            }
            if !hidden.isEmpty {
                let w = rest * span / 2
                segment(rightHidden ? right : leftEdge - w, w, nil)
            }
            let words = zip(labels, shares).map { label, share in "\(label) \(share.map { number($0 * 100) + "%" } ?? suppressed)" }
            description.append("\(row.label): " + words.joined(separator: ", "))
        }
        for (index, label) in labels.enumerated() {
            let x = left - 180 + index * 124
            body += "<rect x=\"\(max(4, x))\" y=\"\(height - 26)\" width=\"12\" height=\"12\" fill=\"\(scaleColors[index])\"/>"
            body += "<text x=\"\(max(4, x) + 16)\" y=\"\(height - 16)\" font-size=\"11\" fill=\"#1b1b1b\">\(escape(String(label.prefix(18))))</text>"
        }
        return frame(id: id, title: title, description: description.joined(separator: "; "), width: width, height: height, body)
    }

    /// A column per value 0–10, as tall as its share; hidden ones as dashed outlines.
    static func distribution(id: String, title: String, points: [Point], suppressed: String) -> String {
        let width = 640
        let height = 200
        let bottom = 170
        let left = 30
        let column = Double(width - left - 10) / Double(max(points.count, 1))
        let peak = max(0.01, points.compactMap(\.share).max() ?? 0.01)
        var body = "<line x1=\"\(left)\" y1=\"\(bottom)\" x2=\"\(width - 10)\" y2=\"\(bottom)\" stroke=\"#4b5563\"/>"
        for (index, point) in points.enumerated() {
            let x = Double(left) + Double(index) * column
            if let share = point.share {
                let h = share / peak * 140
                body +=
                    "<rect x=\"\(number(x + 4))\" y=\"\(number(Double(bottom) - h))\" width=\"\(number(column - 8))\" height=\"\(number(h))\" fill=\"\(index >= 9 ? "#15803d" : index >= 7 ? "#9ca3af" : "#12355b")\"/>"
                body +=
                    "<text x=\"\(number(x + column / 2))\" y=\"\(number(Double(bottom) - h - 4))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#1b1b1b\">\(Int((share * 100).rounded()))%</text>"
            } else {
                body +=
                    "<rect x=\"\(number(x + 4))\" y=\"\(bottom - 30)\" width=\"\(number(column - 8))\" height=\"30\" fill=\"none\" stroke=\"#6b7280\" stroke-dasharray=\"3 2\"/>"
            }
            body +=
                "<text x=\"\(number(x + column / 2))\" y=\"\(bottom + 16)\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1b1b1b\">\(escape(point.value))</text>"
        }
        let words = points.map { "\($0.value): \($0.share.map { number($0 * 100) + "%" } ?? suppressed)" }.joined(separator: ", ")
        return frame(id: id, title: title, description: words, width: width, height: height, body)
    }
}
