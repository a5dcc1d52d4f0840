/// The median and the range of a few samples (the benchmark's runs).
struct Spread {
    let median: Double
    let min: Double
    let max: Double

    /// `nil` for no samples; the median of an even count is the mean of the middle two.
    init?(_ samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
    }
}
