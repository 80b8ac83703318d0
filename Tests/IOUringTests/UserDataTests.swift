import IOUring
import Testing

@Suite struct UserDataTests {
    static let parts: [(UInt8, UInt32, UInt32)] = [
        (0, 0, 0),
        (1, 1, 1),
        (7, 0x00AB_CDEF, 123_456),
        (255, UserData.generationMask, UInt32.max),
        (128, 0x0080_0000, 0x8000_0000),
    ]

    @Test(arguments: parts)
    func roundTripsOpGenerationAndSlot(op: UInt8, generation: UInt32, slot: UInt32) {
        let data = UserData(op: op, generation: generation, slot: slot)
        #expect(data.op == op)
        #expect(data.generation == generation)
        #expect(data.slot == slot)
        #expect(UserData(rawValue: data.rawValue) == data)
    }

    @Test func packsOpHighGenerationMiddleSlotLow() {
        let data = UserData(op: 0xAB, generation: 0x00CD_EF01, slot: 0x2345_6789)
        #expect(data.rawValue == 0xABCD_EF01_2345_6789)
        let decoded = UserData(rawValue: 0x0100_0002_0000_0003)
        #expect(decoded.op == 1 && decoded.generation == 2 && decoded.slot == 3)
    }

    /// Generation passed in, generation kept.
    static let truncations: [(UInt32, UInt32)] = [
        (0x0100_0000, 0),
        (0x1234_5678, 0x0034_5678),
        (0xFFFF_FFFF, 0x00FF_FFFF),
        (0x0100_0005, 5),
    ]

    @Test(arguments: truncations)
    func truncatesGenerationTo24Bits(generation: UInt32, kept: UInt32) {
        let data = UserData(op: 9, generation: generation, slot: 42)
        #expect(data.generation == kept)
        #expect(data.op == 9, "the generation must not spill into the op byte")
        #expect(data.slot == 42)
    }

    @Test func generationWrapsToAnotherTag() {
        // A slot reused 2^24 times gets the same tag again; one reuse later it differs.
        let first = UserData(op: 2, generation: 0, slot: 5)
        #expect(UserData(op: 2, generation: 0x0100_0000, slot: 5) == first)
        #expect(UserData(op: 2, generation: 1, slot: 5) != first)
    }

    @Test func describesItsParts() {
        #expect(UserData(op: 3, generation: 4, slot: 5).description == "op=3 gen=4 slot=5")
    }
}

@Suite struct CompletionFlagTests {
    // Flag bits from the io_uring ABI: F_BUFFER = 1, F_MORE = 2, buffer id in the top 16 bits.
    @Test func readsMoreAndBufferFromFlags() {
        let tag = UserData(op: 1, generation: 1, slot: 1)
        let plain = Completion(userData: tag, result: 10, flags: 0)
        #expect(!plain.hasMore)
        #expect(plain.bufferID == nil)

        let more = Completion(userData: tag, result: 10, flags: 2)
        #expect(more.hasMore)
        #expect(more.bufferID == nil)

        let buffered = Completion(userData: tag, result: 10, flags: 1 | 2 | (7 << 16))
        #expect(buffered.hasMore)
        #expect(buffered.bufferID == 7)

        let highest = Completion(userData: tag, result: 10, flags: 1 | (0xFFFF << 16))
        #expect(!highest.hasMore)
        #expect(highest.bufferID == 0xFFFF)

        // An id in the flags without F_BUFFER is not a buffer.
        #expect(Completion(userData: tag, result: 10, flags: 3 << 16).bufferID == nil)
    }
}
