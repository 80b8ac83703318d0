import Foundation
import Testing

@testable import Shard

@Suite struct ShardArenaTests {
    /// After the reserve is freed, the thread's heap stays accessible up to its size: what the
    /// thread allocates up to there needs no further `mprotect`. Read from /proc/self/maps: the
    /// accessible mapping around a block allocated afterwards on the same (fresh) thread.
    @Test func theReserveLeavesTheThreadsHeapAccessible() {
        let bytes = 8 << 20
        let done = DispatchSemaphore(value: 0)
        let span = Span()
        let thread = Thread {
            ShardArena.reserve(bytes: bytes)
            if let block = malloc(64) {
                span.bytes = Self.accessibleSpan(containing: UInt(bitPattern: block))
                free(block)
            }
            done.signal()
        }
        thread.start()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(span.bytes >= bytes)
    }

    private final class Span: @unchecked Sendable {
        var bytes = 0
    }

    /// The size of the readable and writable mapping that holds `address` (0: none found).
    private static func accessibleSpan(containing address: UInt) -> Int {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return 0 }
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, fields[1].hasPrefix("rw") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let low = UInt(bounds[0], radix: 16), let high = UInt(bounds[1], radix: 16) else { continue }
            if low <= address && address < high { return Int(high - low) }
        }
        return 0
    }
}
