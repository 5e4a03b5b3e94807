import Foundation

/// The statistics of a distribution of answers on a numeric scale (values and their counts).
struct Statistics {
    var n: Int
    var mean: Double
    /// Sample standard deviation (n - 1); nil for fewer than two answers.
    var deviation: Double?

    init(values: [Double], counts: [Int]) {
        n = counts.reduce(0, +)
        let sum = zip(values, counts).map { $0 * Double($1) }.reduce(0, +)
        mean = n > 0 ? sum / Double(n) : 0
        let mean = mean
        let squares = zip(values, counts).map { Double($1) * ($0 - mean) * ($0 - mean) }.reduce(0, +)
        deviation = n > 1 ? (squares / Double(n - 1)).squareRoot() : nil
    }

    var standardError: Double? { deviation.map { $0 / Double(n).squareRoot() } }

    /// Half the width of the mean's 95% confidence interval (Student's t with n - 1 degrees).
    var halfWidth: Double? { standardError.map { $0 * Self.t95(degrees: n - 1) } }

    /// Two-sided 95% critical values of Student's t for 1–30 degrees of freedom; beyond, the
    /// Cornish–Fisher expansion around 1.96 (within 0.001 of the exact value from 31 on).
    static func t95(degrees: Int) -> Double {
        let table = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
            2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
        ]
        if degrees >= 1 && degrees <= table.count { return table[degrees - 1] }
        let z = 1.959964
        let df = Double(max(degrees, 1))
        return z + (z * z * z + z) / (4 * df) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * df * df)
    }

    /// Net Promoter Score in points and its 95% margin of error: NPS is the mean of +100
    /// (promoter), 0 (passive) and -100 (detractor), so its variance is E[x²] - E[x]².
    static func nps(promoters: Int, passives: Int, detractors: Int) -> (score: Double, margin: Double) {
        let n = Double(promoters + passives + detractors)
        guard n > 0 else { return (0, 0) }
        let (p, d) = (Double(promoters) / n, Double(detractors) / n)
        let variance = max(0, p + d - (p - d) * (p - d))
        return (100 * (p - d), 100 * 1.959964 * (variance / n).squareRoot())
    }
}
