import Foundation

/// A body that was checked as it streamed past and then dropped.
struct StreamedBody: Sendable {
    var byteCount = 0
    var checksum = StreamChecksum()
    /// Offset of the first byte that differs from `BodyPattern` (nil: every byte matched).
    var firstPatternMismatch: Int?

    mutating func absorb(_ piece: UnsafeRawBufferPointer) {
        if firstPatternMismatch == nil {
            firstPatternMismatch = Self.mismatch(piece, atBodyOffset: byteCount)
        }
        checksum.update(piece)
        byteCount += piece.count
    }

    /// Compares `piece` with the pattern slice by slice (memcmp), so verifying 50 MB costs
    /// little even in a debug build.
    private static func mismatch(_ piece: UnsafeRawBufferPointer, atBodyOffset offset: Int) -> Int? {
        var checked = 0
        var found: Int?
        BodyPattern.forEachPiece(offset: offset, count: piece.count) { expected in
            guard found == nil, let base = piece.baseAddress, let want = expected.baseAddress else { return }
            if memcmp(base + checked, want, expected.count) != 0 {
                let index = (0..<expected.count).first { piece[checked + $0] != expected[$0] } ?? 0
                found = offset + checked + index
            }
            checked += expected.count
        }
        return found
    }
}

/// A response whose body was streamed through a `StreamedBody` instead of kept.
struct StreamedResponse: Sendable {
    let head: HTTPHead
    let framing: BodyFraming
    let chunkCount: Int
    let body: StreamedBody

    var status: Int { Int(head.startLine.1) ?? -1 }
}

extension RawHTTPClient {
    /// Sends a request whose body is `length` pattern bytes, generated piece by piece,
    /// with Content-Length or (when `chunked`) as one chunk per piece. Returns the checksum
    /// of what was sent. `timeout` bounds the whole body.
    func sendPatternRequest(
        _ target: String, method: String = "POST", length: Int, chunked: Bool,
        headers: [(String, String)] = [], timeout: Duration = .seconds(60)
    ) throws -> StreamChecksum {
        let deadline = Deadline(in: timeout)
        let framing = chunked ? ("Transfer-Encoding", "chunked") : ("Content-Length", String(length))
        let request = HTTPRequest(method, target, headers: headers + [framing])
        try socket.send(request.headBytes, deadline: deadline)
        var sent = StreamChecksum()
        try BodyPattern.forEachPiece(offset: 0, count: length) { (piece) throws in
            sent.update(piece)
            if chunked { try socket.send(ChunkedEncoding.chunkHeader(size: piece.count), deadline: deadline) }
            try socket.send(piece, deadline: deadline)
            if chunked { try socket.send(ChunkedEncoding.crlf, deadline: deadline) }
        }
        if chunked { try socket.send(ChunkedEncoding.lastChunk, deadline: deadline) }
        return sent
    }

    /// Reads one response, checking its body against `BodyPattern` and checksumming it on
    /// the fly without keeping it.
    func readStreamedResponse(requestMethod: String = "GET", timeout: Duration = .seconds(60)) throws -> StreamedResponse {
        let deadline = Deadline(in: timeout)
        guard let headBytes = try reader.readHead(deadline: deadline) else {
            throw HarnessError.closed("read response (no bytes before close)")
        }
        let head = try HTTPHead(parsing: headBytes)
        let framing = try head.responseFraming(requestMethod: requestMethod)
        var body = StreamedBody()
        let chunks = try reader.readBody(framing, deadline: deadline) { body.absorb($0) }
        return StreamedResponse(head: head, framing: framing, chunkCount: chunks, body: body)
    }
}
