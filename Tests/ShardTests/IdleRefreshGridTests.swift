import Testing

@testable import Shard

@Suite struct IdleRefreshGridTests {
    static let second: Int64 = 1_000_000_000

    @Test func sessionsOnOneLinkThatWentQuietApartRefreshTogether() {
        let grid = IdleRefreshGrid(timeoutNanos: 20 * Self.second, link: "/next?channel=1")
        let first = grid.due(idleSince: 100 * Self.second)
        let later = grid.due(idleSince: 100 * Self.second + Self.second / 2)
        // Both at least a timeout after going quiet, at most a grid step (2 s) more.
        #expect(first >= 120 * Self.second && first < 122 * Self.second)
        #expect(later >= 120 * Self.second + Self.second / 2 && later < 122 * Self.second + Self.second / 2)
        #expect((first - grid.offsetNanos) % grid.spacingNanos == 0)
        #expect((later - grid.offsetNanos) % grid.spacingNanos == 0)
    }

    @Test func aDueTimeOnTheGridIsKept() {
        let grid = IdleRefreshGrid(timeoutNanos: 10 * Self.second, link: "x")
        let onGrid = 50 * grid.spacingNanos + grid.offsetNanos
        #expect(grid.due(idleSince: onGrid - 10 * Self.second) == onGrid)
        #expect(grid.due(idleSince: onGrid - 10 * Self.second + 1) == onGrid + grid.spacingNanos)
    }

    @Test func linksAreSpreadOverTheGrid() {
        let offsets = Set((0..<50).map { IdleRefreshGrid(timeoutNanos: 20 * Self.second, link: "/next?channel=\($0)").offsetNanos })
        #expect(offsets.count > 40)
        #expect(offsets.allSatisfy { $0 >= 0 && $0 < 2 * Self.second })
    }
}
