/// Turns the field lines of a scanned head into `HTTPHeaders` (RFC 9112 §5).
///
/// Runs once per head, after `HTTPHeadScanner` has found the CRLFCRLF and
/// checked that every line ends in CRLF.
enum HTTPFieldParsing {
    /// Parses the field lines in `bytes[from..<headEnd]`, where `headEnd` is just
    /// past the final CRLFCRLF and `fieldCount` is the scanner's line count.
    static func parseFields(
        _ bytes: UnsafeRawBufferPointer, from: Int, headEnd: Int, fieldCount: Int
    ) throws(HTTPParseError) -> HTTPHeaders {
        var headers = HTTPHeaders(reservingCapacity: fieldCount)
        let fieldsEnd = headEnd - 2   // the CR of the terminating empty line
        var lineStart = from
        while lineStart < fieldsEnd {
            let lineEnd = HTTPHeadScanner.lineEnd(bytes, from: lineStart, headEnd: headEnd)
            try parseField(bytes, from: lineStart, to: lineEnd, into: &headers)
            lineStart = lineEnd + 2
        }
        return headers
    }

    /// One `field-name ":" OWS field-value OWS` line, without its CRLF.
    private static func parseField(
        _ bytes: UnsafeRawBufferPointer, from: Int, to: Int, into headers: inout HTTPHeaders
    ) throws(HTTPParseError) {
        // A leading SP/HTAB is obs-fold (or junk before the name): both are rejected,
        // as is an empty name; the token test covers all three.
        var i = from
        while i < to, HTTPASCII.isToken(bytes[i]) { i += 1 }
        guard i > from, i < to, bytes[i] == HTTPASCII.colon else { throw .malformedHeader }
        let nameEnd = i
        i += 1
        while i < to, HTTPASCII.isOWS(bytes[i]) { i += 1 }
        var valueEnd = to
        while valueEnd > i, HTTPASCII.isOWS(bytes[valueEnd - 1]) { valueEnd -= 1 }
        guard HTTPASCII.isFieldContent(bytes, from: i, to: valueEnd) else { throw .malformedHeader }
        headers.add(
            string(bytes, from: from, to: nameEnd),
            string(bytes, from: i, to: valueEnd))
    }

    /// Decodes `bytes[from..<to]` as UTF-8. Invalid sequences (legacy obs-text)
    /// become U+FFFD: field values are data to forward, not to reject.
    @inline(__always)
    static func string(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> String {
        UnsafeRawBufferPointer(rebasing: bytes[from..<to]).withMemoryRebound(to: UInt8.self) {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// Decodes `bytes[from..<to]` as UTF-8, or nil when it is not valid UTF-8.
    /// Used for the request-target, where a lossy repair would change the URL.
    static func validatedString(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> String? {
        UnsafeRawBufferPointer(rebasing: bytes[from..<to]).withMemoryRebound(to: UInt8.self) {
            String(validating: $0, as: UTF8.self)
        }
    }
}
