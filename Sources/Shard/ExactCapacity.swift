extension Collection {
    /// The elements in a new array with storage for just them. An array never shrinks its
    /// storage by itself (removing elements keeps it), so this is how a list that once was long
    /// gives its memory back.
    func withExactCapacity() -> [Element] {
        var copy: [Element] = []
        copy.reserveCapacity(count)
        copy.append(contentsOf: self)
        return copy
    }
}
