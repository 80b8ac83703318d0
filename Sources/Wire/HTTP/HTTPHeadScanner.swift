/// Finds where a message head ends in an accumulating buffer.
///
/// The scanner remembers how far it has looked, so feeding a growing buffer
/// costs O(total bytes), not O(bytes × reads). While scanning it also rejects
/// bare LF line endings and counts field lines, so a too-long or too-crowded
/// head fails as soon as the offending byte arrives instead of after the whole
/// head. Both parsers share it; only requests skip leading empty lines.
struct HTTPHeadScanner: Sendable {
    enum Outcome {
        case incomplete
        /// The head is `bytes[start..<end]`; `end` is just past the CRLFCRLF.
        case found(start: Int, end: Int, fieldCount: Int)
        case failure(HTTPParseError)
    }

    /// RFC 9112 §2.2: a server SHOULD ignore empty lines before a request-line.
    let skipsLeadingEmptyLines: Bool
    /// First byte of the start line, once leading empty lines are skipped.
    private var start = 0
    private var startSettled = false
    /// Next byte to examine.
    private var position = 0
    /// First byte of the line being scanned.
    private var lineStart = 0
    /// Lines completed so far (the start line plus field lines).
    private var lines = 0

    init(skipsLeadingEmptyLines: Bool) {
        self.skipsLeadingEmptyLines = skipsLeadingEmptyLines
    }

    /// No line has ended yet: the scan is still inside the start line.
    var inStartLine: Bool { lines == 0 }

    mutating func reset() {
        self = HTTPHeadScanner(skipsLeadingEmptyLines: skipsLeadingEmptyLines)
    }

    /// Scans only the bytes not seen by earlier calls. `bytes` must be the same
    /// buffer as before, possibly longer; a shorter one restarts the scan.
    mutating func scan(_ bytes: UnsafeRawBufferPointer, maxHeadBytes: Int, maxHeaders: Int) -> Outcome {
        if bytes.count < position { reset() }
        // Never look past the limit: a head that has not ended by then is too large.
        let limit = min(bytes.count, maxHeadBytes)
        let exhausted: Outcome = bytes.count >= maxHeadBytes ? .failure(.headTooLarge) : .incomplete
        if !startSettled {
            while skipsLeadingEmptyLines {
                guard start + 1 < limit else { return exhausted }
                guard bytes[start] == HTTPASCII.cr, bytes[start + 1] == HTTPASCII.lf else { break }
                start += 2
            }
            if start >= limit { return exhausted }
            startSettled = true
            position = start
            lineStart = start
        }
        while position < limit {
            guard let lf = HTTPHeadScanner.firstLF(bytes, from: position, to: limit) else {
                position = limit
                break
            }
            guard lf > lineStart, bytes[lf - 1] == HTTPASCII.cr else {
                return .failure(lines == 0 ? .malformedStartLine : .malformedHeader)
            }
            if lf - 1 == lineStart {
                // An empty line: the end of the head, or an empty start line.
                if lines == 0 { return .failure(.malformedStartLine) }
                return .found(start: start, end: lf + 1, fieldCount: lines - 1)
            }
            lines += 1
            if lines - 1 > maxHeaders { return .failure(.tooManyHeaders) }
            lineStart = lf + 1
            position = lf + 1
        }
        return exhausted
    }

    /// Index of the first LF in `bytes[from..<to]`, testing eight bytes per step.
    @inline(__always)
    static func firstLF(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let pattern = ones &* UInt64(HTTPASCII.lf)
        var i = from
        while i + 8 <= to {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern
            // Non-zero exactly when some byte of `word` is zero, i.e. was an LF.
            if (word &- ones) & ~word & highs != 0 { break }
            i += 8
        }
        while i < to {
            if bytes[i] == HTTPASCII.lf { return i }
            i += 1
        }
        return nil
    }

    /// Index of the CR ending the line that starts at `from`. Only valid inside a
    /// head the scanner accepted, where every LF follows a CR.
    @inline(__always)
    static func lineEnd(_ bytes: UnsafeRawBufferPointer, from: Int, headEnd: Int) -> Int {
        (firstLF(bytes, from: from, to: headEnd) ?? headEnd) - 1
    }
}
