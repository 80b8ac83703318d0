/// When an idle stream refreshes its next link. Sessions on the same link should refresh
/// at the same moment, so that one shared request serves them all (however far apart they
/// subscribed), while different links should not all fire at once. So refreshes fall on a
/// grid of a tenth of the timeout, shifted by an offset drawn from the link: the same link,
/// the same moments; other links, other moments within the grid.
struct IdleRefreshGrid: Equatable {
    let timeoutNanos: Int64
    let spacingNanos: Int64
    let offsetNanos: Int64

    init(timeoutNanos: Int64, link: String) {
        spacingNanos = max(timeoutNanos / 10, 1)
        offsetNanos = Int64(Self.fnv1a(link) % UInt64(spacingNanos))
        self.timeoutNanos = timeoutNanos
    }

    /// The first grid point at least a timeout after the channels went quiet.
    func due(idleSince quietNanos: Int64) -> Int64 {
        let earliest = quietNanos + timeoutNanos - offsetNanos
        let steps = (earliest + spacingNanos - 1).quotient(spacingNanos)
        return steps * spacingNanos + offsetNanos
    }

    /// FNV-1a: stable across processes and runs (unlike `Hasher`), cheap for a short string.
    private static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }
}

private extension Int64 {
    /// Division rounding towards negative infinity (`/` rounds towards zero).
    func quotient(_ divisor: Int64) -> Int64 {
        let (q, r) = quotientAndRemainder(dividingBy: divisor)
        return r < 0 ? q - 1 : q
    }
}
