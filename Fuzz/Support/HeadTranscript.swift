@testable import Wire

/// What a shard sees when it parses heads from an accumulating buffer after every read:
/// each head with the bytes it took, then a failure or the bytes still waiting.
enum HeadTranscript<Head: Sendable & Equatable>: Equatable {
    case head(Head, consumed: Int)
    case failure(HTTPParseError)
    /// Bytes left over that do not (yet) make a head.
    case incomplete(Int)

    /// Feeds `reads` one after another to `parse`, dropping each head's bytes and calling
    /// `reset` before the next head, as the shard does with pipelined input.
    static func of(
        _ reads: [[UInt8]], parse: (UnsafeRawBufferPointer) -> HeadParseResult<Head>, reset: () -> Void
    ) -> [HeadTranscript] {
        var buffer: [UInt8] = []
        var events: [HeadTranscript] = []
        for read in reads {
            buffer += read
            // Each pass either returns or drops at least one byte, so this ends.
            while true {
                let available = buffer.count
                switch buffer.withUnsafeBytes(parse) {
                case .incomplete:
                    break
                case .failure(let error):
                    return events + [.failure(error)]
                case .complete(let head, let consumed):
                    Fuzz.check(consumed > 0 && consumed <= available, "consumed \(consumed) of \(available)")
                    events.append(.head(head, consumed: consumed))
                    buffer.removeFirst(consumed)
                    reset()
                    continue
                }
                break
            }
        }
        return events + [.incomplete(buffer.count)]
    }
}
