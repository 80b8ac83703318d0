/// First in, first out, over one array: appends at the end, takes from a moving head, and
/// moves the live part to the front once the taken part is the larger half, so each
/// element is moved at most once more on average. Its storage goes when it empties.
struct FIFOQueue<Element> {
    private var elements: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == elements.count }
    var count: Int { elements.count - head }
    var first: Element? { isEmpty ? nil : elements[head] }

    mutating func append(_ element: Element) { elements.append(element) }

    mutating func popFirst() -> Element? {
        guard head < elements.count else { return nil }
        let element = elements[head]
        head += 1
        if head == elements.count {
            removeAll()
        } else if head >= 64 && head * 2 >= elements.count {
            elements.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Keeps only the elements `isKept` accepts, in order.
    mutating func retain(where isKept: (Element) -> Bool) {
        elements = elements[head...].filter(isKept)
        head = 0
    }

    mutating func removeAll() {
        elements = []
        head = 0
    }
}
