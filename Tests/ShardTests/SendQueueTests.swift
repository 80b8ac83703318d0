import Hub
import SeededRandom
import Testing

@testable import Shard

@Suite struct ChunkPoolTests {
    @Test func takeReusesGivenChunksLastInFirstOutAndResetsThem() {
        let pool = ChunkPool(chunkSize: 16, spareMax: 4)
        let a = pool.take()
        let b = pool.take()
        #expect(a !== b)
        #expect(a.capacity == 16 && a.count == 0 && a.unused == 16)
        [UInt8](repeating: 7, count: 5).withUnsafeBytes { _ = a.append($0) }
        pool.give(a)
        pool.give(b)
        #expect(pool.take() === b)
        let again = pool.take()
        #expect(again === a)
        #expect(again.count == 0, "a reused chunk starts empty")
        #expect(pool.take() !== a, "the pool is empty again: a fresh chunk")
    }

    @Test func keepsAtMostSpareMaxChunks() {
        let pool = ChunkPool(chunkSize: 8, spareMax: 2)
        let chunks = (0..<3).map { _ in pool.take() }
        for chunk in chunks { pool.give(chunk) }
        let first = pool.take()
        let second = pool.take()
        let third = pool.take()
        #expect(first === chunks[1] && second === chunks[0])
        #expect(third !== chunks[2], "the third was dropped, not kept")
    }

    @Test func releasingSpareFreesTheKeptChunks() {
        let pool = ChunkPool(chunkSize: 8, spareMax: 4)
        weak var first: OutboundChunk?
        weak var second: OutboundChunk?
        do {
            let a = pool.take()
            let b = pool.take()
            first = a
            second = b
            pool.give(a)
            pool.give(b)
        }
        #expect(pool.spareCount == 2)
        #expect(first != nil && second != nil, "kept by the pool")
        pool.releaseSpare()
        #expect(pool.spareCount == 0)
        #expect(first == nil && second == nil, "freed")
    }

    @Test func refusesChunksOfAnotherSize() {
        let pool = ChunkPool(chunkSize: 8, spareMax: 4)
        let odd = OutboundChunk(capacity: 9)
        pool.give(odd)
        #expect(pool.take() !== odd)
    }

    @Test func chunkAppendTakesWhatFits() {
        let chunk = OutboundChunk(capacity: 4)
        let taken = [UInt8]([1, 2, 3]).withUnsafeBytes { chunk.append($0) }
        #expect(taken == 3 && chunk.count == 3 && chunk.unused == 1)
        let more = [UInt8]([4, 5, 6]).withUnsafeBytes { chunk.append($0) }
        #expect(more == 1 && chunk.unused == 0)
        #expect(Array(UnsafeRawBufferPointer(start: chunk.base, count: chunk.count)) == [1, 2, 3, 4])
        #expect([UInt8]([9]).withUnsafeBytes { chunk.append($0) } == 0)
        #expect([UInt8]().withUnsafeBytes { chunk.append($0) } == 0)
    }

    @Test func copyingInitHoldsExactlyTheBytes() {
        let chunk = [UInt8]([9, 8, 7]).withUnsafeBytes { OutboundChunk(copying: $0) }
        #expect(chunk.capacity == 3 && chunk.count == 3)
        #expect(Array(UnsafeRawBufferPointer(start: chunk.base, count: 3)) == [9, 8, 7])
        let empty = [UInt8]().withUnsafeBytes { OutboundChunk(copying: $0) }
        #expect(empty.capacity == 0 && empty.count == 0)
    }
}

@Suite struct SendQueueTests {
    func bytes(_ count: Int, from start: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: start + $0) }
    }

    func next(_ queue: SendQueue) -> [UInt8]? {
        guard let send = queue.nextSend else { return nil }
        return Array(UnsafeRawBufferPointer(start: send.base, count: send.count))
    }

    /// Sends everything, `chunk` bytes at a time, and returns it in order.
    func drain(_ queue: inout SendQueue, pool: ChunkPool, chunk: Int = .max) -> [UInt8] {
        var out: [UInt8] = []
        while let send = queue.nextSend {
            let n = min(send.count, chunk)
            out += Array(UnsafeRawBufferPointer(start: send.base, count: n))
            queue.consume(n, pool: pool)
        }
        return out
    }

    @Test func startsEmpty() {
        let pool = ChunkPool(chunkSize: 16, spareMax: 4)
        var queue = SendQueue()
        #expect(queue.isEmpty && queue.byteCount == 0 && queue.segmentCount == 0)
        #expect(queue.nextSend == nil)
        queue.consume(5, pool: pool)  // nothing queued: no effect
        queue.append([], pool: pool)
        #expect(queue.isEmpty && queue.segmentCount == 0)
    }

    @Test func smallAppendsCoalesceIntoTheTailChunk() {
        let pool = ChunkPool(chunkSize: 16, spareMax: 4)
        var queue = SendQueue()
        queue.append([1, 2, 3], pool: pool)
        queue.append([4, 5], pool: pool)
        queue.append([6], pool: pool)
        #expect(queue.segmentCount == 1)
        #expect(queue.byteCount == 6)
        #expect(next(queue) == [1, 2, 3, 4, 5, 6])
    }

    @Test func anAppendThatOverflowsTheTailFillsItThenStartsAPoolChunk() {
        let pool = ChunkPool(chunkSize: 8, spareMax: 4)
        var queue = SendQueue()
        queue.append(bytes(5), pool: pool)
        queue.append(bytes(6, from: 5), pool: pool)
        #expect(queue.segmentCount == 2)
        #expect(queue.byteCount == 11)
        #expect(next(queue) == bytes(8), "the tail was filled first")
        #expect(drain(&queue, pool: pool) == bytes(11))
    }

    @Test func anAppendOfExactlyAChunkUsesAPoolChunk() {
        let pool = ChunkPool(chunkSize: 8, spareMax: 4)
        let spare = pool.take()
        pool.give(spare)
        var queue = SendQueue()
        queue.append(bytes(8), pool: pool)
        #expect(queue.segmentCount == 1)
        #expect(queue.nextSend?.base == UnsafeRawPointer(spare.base))
    }

    @Test func aLargeAppendFillsTheTailThenTakesOneChunkOfItsOwnSize() {
        let pool = ChunkPool(chunkSize: 8, spareMax: 4)
        var queue = SendQueue()
        queue.append(bytes(3), pool: pool)
        queue.append(bytes(40, from: 3), pool: pool)
        #expect(queue.segmentCount == 2, "5 bytes top up the tail, 35 go into one exact-size chunk")
        #expect(queue.byteCount == 43)
        #expect(next(queue) == bytes(8))
        queue.consume(8, pool: pool)
        #expect(next(queue) == bytes(35, from: 8))
        // The big chunk is full: the next append needs a new one.
        queue.append([0xAA], pool: pool)
        #expect(queue.segmentCount == 2)
        #expect(drain(&queue, pool: pool) == bytes(35, from: 8) + [0xAA])
    }

    @Test func aLargeAppendIntoAnEmptyQueueIsOneSegment() {
        let pool = ChunkPool(chunkSize: 8, spareMax: 4)
        var queue = SendQueue()
        queue.append(bytes(100), pool: pool)
        #expect(queue.segmentCount == 1)
        #expect(next(queue) == bytes(100))
    }

    @Test func partialSendsAdvanceWithinASegmentThenCrossToTheNext() {
        let pool = ChunkPool(chunkSize: 4, spareMax: 4)
        var queue = SendQueue()
        queue.append(bytes(4), pool: pool)
        queue.append(bytes(4, from: 4), pool: pool)
        queue.append(bytes(2, from: 8), pool: pool)
        #expect(queue.segmentCount == 3)
        let firstBase = queue.nextSend?.base
        queue.consume(1, pool: pool)
        #expect(queue.nextSend?.base == firstBase.map { $0 + 1 })
        #expect(next(queue) == [1, 2, 3])
        #expect(queue.byteCount == 9 && queue.segmentCount == 3)
        queue.consume(3, pool: pool)
        #expect(queue.segmentCount == 2)
        #expect(next(queue) == [4, 5, 6, 7])
        queue.consume(2, pool: pool)
        #expect(next(queue) == [6, 7])
        queue.consume(2, pool: pool)
        #expect(next(queue) == [8, 9])
        queue.consume(2, pool: pool)
        #expect(queue.isEmpty && queue.segmentCount == 0 && queue.nextSend == nil)
    }

    @Test func appendingWhileTheHeadIsInFlightGrowsItPastTheSentPart() {
        let pool = ChunkPool(chunkSize: 16, spareMax: 4)
        var queue = SendQueue()
        queue.append([1, 2, 3, 4], pool: pool)
        let inFlight = queue.nextSend
        #expect(inFlight?.count == 4)
        queue.append([5, 6], pool: pool)  // lands past what the kernel is reading
        #expect(queue.segmentCount == 1)
        queue.consume(4, pool: pool)
        #expect(next(queue) == [5, 6])
        #expect(queue.nextSend?.base == inFlight.map { $0.base + 4 }, "same chunk, nothing moved")
    }

    @Test func sharedBytesAreSentFromTheirOwnMemory() {
        let pool = ChunkPool(chunkSize: 16, spareMax: 4)
        let shared = SharedBytes([10, 20, 30, 40])
        var queue = SendQueue()
        queue.append(shared: shared)
        #expect(queue.segmentCount == 1 && queue.byteCount == 4)
        #expect(queue.nextSend?.base == shared.base)
        queue.consume(3, pool: pool)
        #expect(queue.nextSend?.base == shared.base + 3)
        #expect(next(queue) == [40])
    }

    @Test func emptySharedBytesAreNotQueued() {
        var queue = SendQueue()
        queue.append(shared: SharedBytes([]))
        #expect(queue.isEmpty && queue.segmentCount == 0)
    }

    @Test func sharedAndOwnedInterleavedKeepByteOrderAndNeverCopyShared() {
        let pool = ChunkPool(chunkSize: 16, spareMax: 4)
        let one = SharedBytes([0xA1, 0xA2])
        let two = SharedBytes([0xB1, 0xB2, 0xB3])
        var queue = SendQueue()
        queue.append([1, 2], pool: pool)
        queue.append(shared: one)
        queue.append([3], pool: pool)  // the first owned chunk has room, but order forbids it
        queue.append(shared: two)
        queue.append(shared: one)  // the same bytes again
        queue.append([4, 5], pool: pool)
        queue.append([6], pool: pool)  // coalesces with [4, 5]
        #expect(queue.segmentCount == 6)
        #expect(queue.byteCount == 13)
        var bases: [UnsafeRawPointer] = []
        var sent: [UInt8] = []
        while let send = queue.nextSend {
            bases.append(send.base)
            sent += Array(UnsafeRawBufferPointer(start: send.base, count: send.count))
            queue.consume(send.count, pool: pool)
        }
        #expect(sent == [1, 2, 0xA1, 0xA2, 3, 0xB1, 0xB2, 0xB3, 0xA1, 0xA2, 4, 5, 6])
        #expect(bases[1] == one.base && bases[3] == two.base && bases[4] == one.base)
        #expect(queue.isEmpty)
    }

    @Test func aSentPoolChunkGoesBackToThePool() {
        let pool = ChunkPool(chunkSize: 8, spareMax: 4)
        var queue = SendQueue()
        queue.append(bytes(3), pool: pool)
        let base = queue.nextSend?.base
        queue.consume(2, pool: pool)
        queue.consume(1, pool: pool)
        #expect(queue.isEmpty)
        #expect(UnsafeRawPointer(pool.take().base) == base)
    }

    @Test func anOversizedChunkIsNotPooled() {
        let pool = ChunkPool(chunkSize: 8, spareMax: 4)
        var queue = SendQueue()
        queue.append(bytes(20), pool: pool)
        #expect(queue.nextSend?.count == 20)
        queue.consume(20, pool: pool)
        #expect(pool.take().capacity == 8, "a 20-byte chunk never reaches the pool")
    }

    @Test func removeAllReturnsOwnedChunksAndEmptiesTheQueue() {
        let pool = ChunkPool(chunkSize: 4, spareMax: 8)
        var queue = SendQueue()
        queue.append(bytes(3), pool: pool)
        queue.append(bytes(3), pool: pool)  // fills the first pool chunk, 2 go into a second
        queue.append(shared: SharedBytes([1, 2, 3]))
        queue.append(bytes(3), pool: pool)  // a third
        queue.append(bytes(9), pool: pool)  // tops up the third by 1, then 8 in an exact-size chunk
        #expect(queue.segmentCount == 5)
        var ownedBases: [UnsafeRawPointer] = []
        var copy = queue
        while let send = copy.nextSend {
            ownedBases.append(send.base)
            copy.consume(send.count, pool: ChunkPool(chunkSize: 4, spareMax: 0))
        }
        queue.consume(1, pool: pool)  // a partly sent head is returned too
        queue.removeAll(pool: pool)
        #expect(queue.isEmpty && queue.byteCount == 0 && queue.segmentCount == 0 && queue.nextSend == nil)
        let pooled = Set((0..<3).map { _ in UnsafeRawPointer(pool.take().base) })
        #expect(pooled == Set([ownedBases[0], ownedBases[1], ownedBases[3]]))
        #expect(!pooled.contains(ownedBases[4]), "the exact-size chunk is not pooled")
        // The queue is usable again.
        queue.append([7], pool: pool)
        #expect(next(queue) == [7] && queue.segmentCount == 1)
    }

    @Test func manySegmentsConsumedOneByOneStayInOrder() {
        // Crosses the point where consumed segments are compacted away.
        let pool = ChunkPool(chunkSize: 4, spareMax: 2)
        var queue = SendQueue()
        let shared = (0..<50).map { SharedBytes([UInt8($0)]) }
        for (index, bytes) in shared.enumerated() {
            queue.append(shared: bytes)
            queue.append([UInt8(100 + index)], pool: pool)
        }
        #expect(queue.segmentCount == 100)
        var sent: [UInt8] = []
        for index in 0..<100 {
            guard let send = queue.nextSend else { break }
            if index % 2 == 0 { #expect(send.base == shared[index / 2].base) }
            sent += Array(UnsafeRawBufferPointer(start: send.base, count: send.count))
            queue.consume(send.count, pool: pool)
            #expect(queue.segmentCount == 99 - index + (index > 60 ? 1 : 0))
            if index == 60 { queue.append(shared: shared[0]) }
        }
        let expected: [UInt8] = (0..<50).flatMap { [UInt8($0), UInt8(100 + $0)] }  // typed apart: quicker to type-check
        #expect(sent == expected)
        #expect(next(queue) == [0], "appended mid-way, sent last")
    }

    /// One segment as the documented rules predict it.
    private struct ModelSegment {
        var size: Int
        /// Owned chunks: how many bytes the chunk holds at most; nil for shared bytes.
        var capacity: Int?
        var shared: SharedBytes?
    }

    /// Random appends (owned, shared, large), partial sends and clears against a flat byte
    /// model plus a segment model of the documented rules.
    @Test(arguments: [UInt64(11), 12, 13])
    func matchesAByteModel(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let chunkSize = 32
        let pool = ChunkPool(chunkSize: chunkSize, spareMax: 4)
        var queue = SendQueue()
        var model: [UInt8] = []
        var segments: [ModelSegment] = []
        var headSent = 0
        var counter = 0
        for _ in 0..<4_000 {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<35:
                let limit = Int.random(in: 0..<10, using: &random) == 0 ? 100 : 20
                let data = bytes(Int.random(in: 0...limit, using: &random), from: counter)
                counter += data.count
                queue.append(data, pool: pool)
                model += data
                var rest = data.count
                while rest > 0 {
                    if let last = segments.last, let capacity = last.capacity, last.size < capacity {
                        let taken = min(capacity - last.size, rest)
                        segments[segments.count - 1].size += taken
                        rest -= taken
                    } else {
                        segments.append(ModelSegment(size: 0, capacity: rest > chunkSize ? rest : chunkSize, shared: nil))
                    }
                }
            case 35..<50:
                let data = bytes(Int.random(in: 0...40, using: &random), from: counter + 7)
                counter += data.count
                let shared = SharedBytes(data)
                queue.append(shared: shared)
                model += data
                if !data.isEmpty { segments.append(ModelSegment(size: data.count, capacity: nil, shared: shared)) }
            case 50..<97:
                guard let send = queue.nextSend else {
                    #expect(model.isEmpty && segments.isEmpty)
                    continue
                }
                let head = segments[0]
                #expect(send.count == head.size - headSent, "seed \(seed)")
                #expect(Array(UnsafeRawBufferPointer(start: send.base, count: send.count)) == Array(model.prefix(send.count)))
                if let shared = head.shared {
                    #expect(send.base == shared.base + headSent, "shared bytes are never copied")
                }
                let n = Bool.random(using: &random) ? send.count : Int.random(in: 0...send.count, using: &random)
                queue.consume(n, pool: pool)
                model.removeFirst(n)
                headSent += n
                if headSent == head.size {
                    segments.removeFirst()
                    headSent = 0
                }
            default:
                queue.removeAll(pool: pool)
                model.removeAll()
                segments.removeAll()
                headSent = 0
            }
            #expect(queue.byteCount == model.count, "seed \(seed)")
            #expect(queue.isEmpty == model.isEmpty)
            #expect(queue.segmentCount == segments.count, "seed \(seed)")
        }
        #expect(drain(&queue, pool: pool, chunk: 7) == model)
    }
}
