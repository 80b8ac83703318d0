import Testing
import Wire

@testable import Shard

/// Chunks framed straight into a send queue must be byte for byte what `HTTPWriter` frames.
@Suite struct SendQueueChunksTests {
    func drained(_ queue: inout SendQueue, pool: ChunkPool) -> [UInt8] {
        var out: [UInt8] = []
        while let send = queue.nextSend {
            out += Array(UnsafeRawBufferPointer(start: send.base, count: send.count))
            queue.consume(send.count, pool: pool)
        }
        return out
    }

    @Test(arguments: [1, 9, 15, 16, 17, 255, 256, 4096, 65_537])
    func aChunkIsFramedLikeHTTPWriterFramesIt(size: Int) {
        let pool = ChunkPool(chunkSize: 64, spareMax: 4)
        let data = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
        var queue = SendQueue()
        data.withUnsafeBytes { queue.appendChunk($0, pool: pool) }
        queue.appendLastChunk(pool: pool)
        var expected: [UInt8] = []
        data.withUnsafeBytes { HTTPWriter.appendChunk($0, to: &expected) }
        HTTPWriter.appendLastChunk(to: &expected)
        #expect(drained(&queue, pool: pool) == expected)
    }

    @Test func emptyDataAddsNoChunk() {
        let pool = ChunkPool(chunkSize: 64, spareMax: 4)
        var queue = SendQueue()
        [UInt8]().withUnsafeBytes { queue.appendChunk($0, pool: pool) }
        #expect(queue.isEmpty)
    }
}
