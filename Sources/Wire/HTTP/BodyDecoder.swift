/// Incremental decoder for one message body under any `BodyFraming`.
///
/// It never buffers: body bytes are handed to `emit` as slices of the caller's
/// input, and a chunked body is walked by a byte-level state machine, so size
/// lines, CRLFs and trailers may be split at any byte across reads.
/// Trailer fields are validated and discarded.
public struct BodyDecoder: Sendable {
    private enum State: Sendable, Equatable {
        case fixed(remaining: Int)
        case untilClose
        /// Reading chunk-size hex digits; `value` so far.
        case chunkSize(value: Int, digits: Int)
        /// After the digits: optional BWS before ";" or the CR.
        case chunkSizeSpace(value: Int)
        /// Inside chunk extensions, up to the CR.
        case chunkExtension(value: Int)
        /// Saw the CR of the size line.
        case chunkSizeLF(value: Int)
        case chunkData(remaining: Int)
        case chunkDataCR
        case chunkDataLF
        /// At the start of a trailer line (or of the final empty line).
        case trailerLineStart
        case trailerName
        case trailerValue
        case trailerLineLF
        case finalLF
        case complete
        case failed
    }

    /// Largest accepted chunk size; also keeps `Int` arithmetic far from overflow.
    public static let maxChunkSize = 1 << 62
    /// Bound on one size line (extensions included) and on the trailer section:
    /// they are skipped byte by byte, so bound the work a peer can make us do.
    public static let maxSizeLineBytes = 4096
    public static let maxTrailerBytes = 16384

    private var state: State
    /// Bytes seen in the current size line or in the trailer section.
    private var metadataBytes = 0

    public init(framing: BodyFraming) {
        switch framing {
        case .none: state = .complete
        case .contentLength(let length): state = length > 0 ? .fixed(remaining: length) : .complete
        case .chunked: state = .chunkSize(value: 0, digits: 0)
        case .untilClose: state = .untilClose
        }
    }

    /// True once the whole body (with a chunked body's trailers) has been consumed.
    public var isComplete: Bool { state == .complete }

    /// Consumes the prefix of `input` that belongs to this body and returns its
    /// length; bytes after it belong to the next message. `emit` gets body data
    /// only, in order, as slices valid during the call. After an error the
    /// decoder stays failed.
    public mutating func decode(
        _ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void
    ) throws(HTTPParseError) -> Int {
        if state == .failed { throw .invalidChunk }
        var i = 0
        let count = input.count
        while i < count {
            switch state {
            case .complete:
                return i
            case .failed:
                throw .invalidChunk
            case .untilClose:
                emit(UnsafeRawBufferPointer(rebasing: input[i..<count]))
                return count
            case .fixed(let remaining):
                let take = min(remaining, count - i)
                emit(UnsafeRawBufferPointer(rebasing: input[i..<(i + take)]))
                i += take
                state = remaining == take ? .complete : .fixed(remaining: remaining - take)
            case .chunkData(let remaining):
                let take = min(remaining, count - i)
                emit(UnsafeRawBufferPointer(rebasing: input[i..<(i + take)]))
                i += take
                state = remaining == take ? .chunkDataCR : .chunkData(remaining: remaining - take)
            default:
                do throws(HTTPParseError) {
                    try step(input[i])
                } catch {
                    state = .failed
                    throw error
                }
                i += 1
            }
        }
        return i
    }

    /// The peer closed the connection. True when that ends the body validly
    /// (a read-until-close body, or one already complete); false when truncated.
    public mutating func finishAtEOF() -> Bool {
        switch state {
        case .untilClose, .complete:
            state = .complete
            return true
        default:
            return false
        }
    }

    /// Advances the chunked-framing state machine by one metadata byte.
    private mutating func step(_ byte: UInt8) throws(HTTPParseError) {
        switch state {
        case .chunkSize(let value, let digits):
            try countMetadata(limit: Self.maxSizeLineBytes)
            if let digit = HTTPASCII.hexValue(byte) {
                guard value <= (Self.maxChunkSize - digit) >> 4 else { throw .invalidChunk }
                state = .chunkSize(value: value << 4 | digit, digits: digits + 1)
                return
            }
            guard digits > 0 else { throw .invalidChunk }
            try endOfSize(byte, value: value)
        case .chunkSizeSpace(let value):
            try countMetadata(limit: Self.maxSizeLineBytes)
            try endOfSize(byte, value: value)
        case .chunkExtension(let value):
            try countMetadata(limit: Self.maxSizeLineBytes)
            if byte == HTTPASCII.cr {
                state = .chunkSizeLF(value: value)
            } else if !HTTPASCII.isFieldContent(byte) {
                throw .invalidChunk
            }
        case .chunkSizeLF(let value):
            guard byte == HTTPASCII.lf else { throw .invalidChunk }
            metadataBytes = 0
            state = value == 0 ? .trailerLineStart : .chunkData(remaining: value)
        case .chunkDataCR:
            guard byte == HTTPASCII.cr else { throw .invalidChunk }
            state = .chunkDataLF
        case .chunkDataLF:
            guard byte == HTTPASCII.lf else { throw .invalidChunk }
            state = .chunkSize(value: 0, digits: 0)
        default:
            try stepTrailer(byte)
        }
    }

    /// After the size digits: BWS, then ";" extensions or the line's CR.
    private mutating func endOfSize(_ byte: UInt8, value: Int) throws(HTTPParseError) {
        switch byte {
        case HTTPASCII.sp, HTTPASCII.htab: state = .chunkSizeSpace(value: value)
        case HTTPASCII.semicolon: state = .chunkExtension(value: value)
        case HTTPASCII.cr: state = .chunkSizeLF(value: value)
        default: throw .invalidChunk
        }
    }

    /// Trailer section after the last chunk: `*( field-line CRLF ) CRLF`.
    private mutating func stepTrailer(_ byte: UInt8) throws(HTTPParseError) {
        try countMetadata(limit: Self.maxTrailerBytes)
        switch state {
        case .trailerLineStart:
            if byte == HTTPASCII.cr {
                state = .finalLF
            } else if HTTPASCII.isToken(byte) {
                state = .trailerName
            } else {
                throw .invalidChunk   // obs-fold, empty name or junk
            }
        case .trailerName:
            if byte == HTTPASCII.colon {
                state = .trailerValue
            } else if !HTTPASCII.isToken(byte) {
                throw .invalidChunk
            }
        case .trailerValue:
            if byte == HTTPASCII.cr {
                state = .trailerLineLF
            } else if !HTTPASCII.isFieldContent(byte) {
                throw .invalidChunk
            }
        case .trailerLineLF:
            guard byte == HTTPASCII.lf else { throw .invalidChunk }
            state = .trailerLineStart
        case .finalLF:
            guard byte == HTTPASCII.lf else { throw .invalidChunk }
            state = .complete
        default:
            throw .invalidChunk
        }
    }

    @inline(__always)
    private mutating func countMetadata(limit: Int) throws(HTTPParseError) {
        metadataBytes += 1
        guard metadataBytes <= limit else { throw .invalidChunk }
    }
}
