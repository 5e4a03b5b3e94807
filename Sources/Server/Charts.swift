import Engagement
import Foundation

/// Server-rendered SVG charts for the dashboard: no script, no inline styles (the CSP allows
/// neither), presentation attributes only, every text escaped, each chart an `img` with a title
/// and a description that says what it shows in words.
enum Charts {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    static func frame(id: String, title: String, description: String, width: Int, height: Int, _ body: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" width="100%" role="img" \
        aria-labelledby="\(id)-title \(id)-desc" class="chart"><title id="\(id)-title">\(escape(title))</title>\
        <desc id="\(id)-desc">\(escape(description))</desc>\(body)</svg>
        """
    }

    /// Weekly responses, comments and attendance as three lines.
    static func weekly(_ weeks: [Scorecard.Week], labels: (String, String, String), title: String) -> String {
        let width = 640
        let height = 220
        let left = 40
        let bottom = 190
        let top = 20
        let series: [(String, String, [Int])] = [
            (labels.0, "#12355b", weeks.map(\.responses)), (labels.1, "#c2410c", weeks.map(\.feedback)),
            (labels.2, "#15803d", weeks.map(\.attendance)),
        ]
        let peak = max(1, series.flatMap(\.2).max() ?? 1)
        let step = weeks.count > 1 ? Double(width - left - 10) / Double(weeks.count - 1) : 0
        func point(_ index: Int, _ value: Int) -> String {
            "\(number(Double(left) + Double(index) * step)),\(number(Double(bottom) - Double(value) / Double(peak) * Double(bottom - top)))"
        }
        var body = "<line x1=\"\(left)\" y1=\"\(bottom)\" x2=\"\(width - 10)\" y2=\"\(bottom)\" stroke=\"#4b5563\"/>"
        body +=
            "<text x=\"4\" y=\"\(top + 4)\" font-size=\"11\" fill=\"#1b1b1b\">\(peak)</text><text x=\"4\" y=\"\(bottom)\" font-size=\"11\" fill=\"#1b1b1b\">0</text>"
        for (index, (name, color, values)) in series.enumerated() {
            let points = values.enumerated().map { point($0.offset, $0.element) }.joined(separator: " ")
            body += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2.5\"/>"
            body += "<rect x=\"\(left + index * 150)\" y=\"\(height - 14)\" width=\"12\" height=\"12\" fill=\"\(color)\"/>"
            body += "<text x=\"\(left + index * 150 + 16)\" y=\"\(height - 4)\" font-size=\"12\" fill=\"#1b1b1b\">\(escape(name))</text>"
        }
        if let first = weeks.first, let last = weeks.last {
            body += "<text x=\"\(left)\" y=\"\(bottom + 14)\" font-size=\"11\" fill=\"#1b1b1b\">\(escape(first.weekStart))</text>"
            body +=
                "<text x=\"\(width - 10)\" y=\"\(bottom + 14)\" font-size=\"11\" text-anchor=\"end\" fill=\"#1b1b1b\">\(escape(last.weekStart))</text>"
        }
        let totals = series.map { "\($0.0) \($0.2.reduce(0, +))" }.joined(separator: ", ")
        return frame(id: "weekly", title: title, description: "\(weeks.count) weeks; totals: \(totals)", width: width, height: height, body)
    }

    /// One bar per row, 0–`scale`, with its value; `nil` values are drawn as "suppressed".
    static func bars(
        id: String,
        title: String,
        rows: [(label: String, value: Double?, flag: Bool)],
        scale: Double,
        reference: (String, Double)?,
        suppressed: String,
        flagged: String
    ) -> String {
        let width = 640
        let rowHeight = 26
        let left = 200
        let right = 70
        let height = max(1, rows.count) * rowHeight + 30
        let span = Double(width - left - right)
        var body = ""
        for (index, row) in rows.enumerated() {
            let y = 10 + index * rowHeight
            body +=
                "<text x=\"\(left - 8)\" y=\"\(y + 15)\" font-size=\"12\" text-anchor=\"end\" fill=\"#1b1b1b\">\(escape(String(row.label.prefix(30))))</text>"
            if let value = row.value {
                let w = max(1, min(span, value / max(scale, 0.0001) * span))
                body += "<rect x=\"\(left)\" y=\"\(y + 3)\" width=\"\(number(w))\" height=\"16\" fill=\"\(row.flag ? "#b91c1c" : "#12355b")\"/>"
                body +=
                    "<text x=\"\(number(Double(left) + w + 6))\" y=\"\(y + 15)\" font-size=\"12\" fill=\"#1b1b1b\">\(number(value))\(row.flag ? " ⚑" : "")</text>"
            } else {
                body +=
                    "<rect x=\"\(left)\" y=\"\(y + 3)\" width=\"\(Int(span))\" height=\"16\" fill=\"none\" stroke=\"#6b7280\" stroke-dasharray=\"4 3\"/>"
                body += "<text x=\"\(left + 8)\" y=\"\(y + 15)\" font-size=\"12\" fill=\"#4b5563\">\(escape(suppressed))</text>"
            }
        }
        if let (name, value) = reference, scale > 0 {
            let x = Double(left) + min(span, value / scale * span)
            body +=
                "<line x1=\"\(number(x))\" y1=\"4\" x2=\"\(number(x))\" y2=\"\(height - 22)\" stroke=\"#c2410c\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>"
            body +=
                "<text x=\"\(number(x))\" y=\"\(height - 8)\" font-size=\"12\" text-anchor=\"middle\" fill=\"#c2410c\">\(escape(name)) \(number(value))</text>"
        }
        let hidden = rows.filter { $0.value == nil }.count
        let marked = rows.filter(\.flag).map(\.label)
        var description = rows.compactMap { row in row.value.map { "\(row.label) \(number($0))" } }.joined(separator: "; ")
        if hidden > 0 { description += "; \(hidden) \(suppressed)" }
        if !marked.isEmpty { description += "; \(flagged): " + marked.joined(separator: ", ") }
        return frame(id: id, title: title, description: description, width: width, height: height, body)
    }

    /// Positive, neutral and negative shares as one stacked bar per language.
    static func sentiment(_ slices: [Scorecard.SentimentSlice], labels: (String, String, String), suppressed: String, title: String) -> String {
        let width = 640
        let rowHeight = 30
        let left = 80
        let span = 520
        let height = max(1, slices.count) * rowHeight + 34
        var body = ""
        var description: [String] = []
        for (index, slice) in slices.enumerated() {
            let y = 8 + index * rowHeight
            body += "<text x=\"\(left - 8)\" y=\"\(y + 16)\" font-size=\"12\" text-anchor=\"end\" fill=\"#1b1b1b\">\(escape(slice.language))</text>"
            guard let positive = slice.positiveShare, let neutral = slice.neutralShare, let negative = slice.negativeShare else {
                body += "<text x=\"\(left + 8)\" y=\"\(y + 16)\" font-size=\"12\" fill=\"#4b5563\">\(escape(suppressed))</text>"
                description.append("\(slice.language) \(suppressed)")
                continue
            }
            var x = Double(left)
            for (share, color) in [(positive, "#15803d"), (neutral, "#9ca3af"), (negative, "#b91c1c")] {
                let w = share * Double(span)
                body += "<rect x=\"\(number(x))\" y=\"\(y + 3)\" width=\"\(number(w))\" height=\"18\" fill=\"\(color)\"/>"
                x += w
            }
            description.append(
                "\(slice.language): \(labels.0) \(number(positive * 100))%, \(labels.1) \(number(neutral * 100))%, \(labels.2) \(number(negative * 100))%"
            )
        }
        for (index, (name, color)) in [(labels.0, "#15803d"), (labels.1, "#9ca3af"), (labels.2, "#b91c1c")].enumerated() {
            body += "<rect x=\"\(left + index * 140)\" y=\"\(height - 16)\" width=\"12\" height=\"12\" fill=\"\(color)\"/>"
            body += "<text x=\"\(left + index * 140 + 16)\" y=\"\(height - 6)\" font-size=\"12\" fill=\"#1b1b1b\">\(escape(name))</text>"
        }
        return frame(id: "sentiment", title: title, description: description.joined(separator: "; "), width: width, height: height, body)
    }
}
