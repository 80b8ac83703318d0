import Testing

@testable import Shard

@Suite struct TrimmingSpacesTests {
    @Test func trimmingSpacesRemovesOnlySpacesAndTabsAtTheEnds() {
        #expect(" \t a b \t".trimmingSpaces == "a b")
        #expect("".trimmingSpaces == "")
        #expect(" \t ".trimmingSpaces == "")
        #expect("\na\n".trimmingSpaces == "\na\n")
        #expect("x, y".split(separator: ",")[1].trimmingSpaces == "y")
    }
}
