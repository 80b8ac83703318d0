extension Dictionary {
    /// A dictionary never shrinks by itself: after a peak, give the table back once it is
    /// under a quarter full. The rebuild is amortised over the removals that emptied it.
    mutating func shrinkIfSparse() {
        guard capacity > 64 && count * 4 < capacity else { return }
        var rebuilt = [Key: Value](minimumCapacity: count)
        for (key, value) in self { rebuilt[key] = value }
        self = rebuilt
    }
}
