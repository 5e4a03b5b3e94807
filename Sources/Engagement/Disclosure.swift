import Foundation

/// Small-cell suppression with complementary suppression, for one output's counts (a survey
/// question's results: each slice's points, answered, skipped, responses, top-2 or NPS groups).
///
/// Every count is a cell; every published equation between cells (a total and its parts: a
/// slice's answered and its points, the whole and its slices) is a relation. A cell counting 1–9
/// is hidden (primary). Then cells are hidden until no hidden cell can be recomputed from the
/// visible ones: first the obvious case (a relation with exactly one hidden cell hides its
/// smallest visible part too), then the combinations of relations, checked by linear algebra
/// (a hidden cell is recomputable exactly when its column is independent of the other hidden
/// columns' in the relations' matrix). Complements are the smallest non-zero cells first.
public struct Disclosure: Sendable {
    public static let minimumCell = Scorecard.minimumCell

    public private(set) var counts: [Int] = []
    var relations: [[(cell: Int, coefficient: Int)]] = []
    /// Cells that must be hidden whatever their count (a slice hidden whole).
    var forced: Set<Int> = []
    /// Cells published elsewhere in the output, never chosen as complements here.
    var pinned: Set<Int> = []

    public init() {}

    /// A new cell; returns its index.
    @discardableResult
    public mutating func cell(_ count: Int) -> Int {
        counts.append(count)
        return counts.count - 1
    }

    /// Publishes `total` = sum of `parts` (each part once).
    public mutating func relate(total: Int, parts: [Int]) {
        guard !parts.isEmpty else { return }
        relations.append([(total, -1)] + parts.map { ($0, 1) })
    }

    public mutating func hide(_ cell: Int) { forced.insert(cell) }

    public mutating func pin(_ cell: Int) { pinned.insert(cell) }

    /// The hidden cells.
    public func hidden() -> Set<Int> {
        var hidden = forced.union(counts.indices.filter { (1..<Self.minimumCell).contains(counts[$0]) && !pinned.contains($0) })
        while true {
            if let (relation, _) = loneHidden(hidden) {
                guard let complement = smallestVisible(in: relation.map(\.cell), hidden) else { break }
                hidden.insert(complement)
                continue
            }
            guard let exposed = recomputable(hidden).first else { break }
            // A part of a relation the exposed cell is in, preferring the smallest.
            let near = Set(relations.filter { $0.contains { $0.cell == exposed } }.flatMap { $0.map(\.cell) })
            guard let complement = smallestVisible(in: Array(near), hidden) ?? smallestVisible(in: Array(counts.indices), hidden) else {
                break
            }
            hidden.insert(complement)
        }
        return hidden
    }

    func loneHidden(_ hidden: Set<Int>) -> ([(cell: Int, coefficient: Int)], Int)? {
        for relation in relations {
            let inside = relation.filter { hidden.contains($0.cell) }
            if inside.count == 1 { return (relation, inside[0].cell) }
        }
        return nil
    }

    func smallestVisible(in cells: [Int], _ hidden: Set<Int>) -> Int? {
        cells.filter { !hidden.contains($0) && !pinned.contains($0) }.min { a, b in
            let (ca, cb) = (counts[a], counts[b])
            // Non-zero first: a zero beside one hidden cell reveals less than it seems, but a
            // hidden pair whose sum is small is better spread over real counts.
            if (ca == 0) != (cb == 0) { return ca != 0 }
            return ca == cb ? a < b : ca < cb
        }
    }

    /// Hidden cells whose value follows from the visible cells and the relations.
    func recomputable(_ hidden: Set<Int>) -> [Int] {
        let columns = hidden.sorted()
        guard !columns.isEmpty else { return [] }
        let position = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        // The relations restricted to hidden cells (the visible ones are known constants).
        var matrix: [[Double]] = relations.compactMap { relation in
            var row = [Double](repeating: 0, count: columns.count)
            var any = false
            for (cell, coefficient) in relation {
                if let column = position[cell] {
                    row[column] += Double(coefficient)
                    any = true
                }
            }
            return any ? row : nil
        }
        // Reduced row echelon form: a pivot column whose row has no other non-zero entry is
        // determined; every other column is free.
        var pivots: [(row: Int, column: Int)] = []
        var rank = 0
        for column in columns.indices where rank < matrix.count {
            guard let pivot = (rank..<matrix.count).max(by: { abs(matrix[$0][column]) < abs(matrix[$1][column]) }),
                abs(matrix[pivot][column]) > 1e-9
            else { continue }
            matrix.swapAt(rank, pivot)
            let scale = matrix[rank][column]
            for k in matrix[rank].indices { matrix[rank][k] /= scale }
            for r in matrix.indices where r != rank && abs(matrix[r][column]) > 1e-9 {
                let factor = matrix[r][column]
                for k in matrix[r].indices { matrix[r][k] -= factor * matrix[rank][k] }
            }
            pivots.append((rank, column))
            rank += 1
        }
        return pivots.filter { pivot in
            matrix[pivot.row].indices.allSatisfy { $0 == pivot.column || abs(matrix[pivot.row][$0]) < 1e-9 }
        }.map { columns[$0.column] }
    }
}
