extension Duration {
    /// The duration in seconds as a Double, for metrics and logs.
    package var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
