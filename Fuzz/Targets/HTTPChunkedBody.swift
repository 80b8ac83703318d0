@testable import Wire

/// Chunked bodies (`BodyDecoder` with `.chunked` framing): size lines, extensions, data,
/// trailers, and whatever follows the body on the connection.
///
/// Checks: the body, the bytes consumed and the outcome do not depend on how the input
/// was split into reads; the decoder stops early only at the end of the body; a failed
/// decoder stays failed; a decoded body re-encoded by `HTTPWriter` decodes to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPChunkedBody(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    let whole = ChunkedBody.decode([input])
    let split = ChunkedBody.decode(Fuzz.pieces(of: input))
    Fuzz.check(whole == split, "split changed the outcome:\n\(whole)\n\(split)")
    Fuzz.check(whole.error != nil || whole.body.count <= whole.consumed, "\(whole.body.count) body bytes from \(whole.consumed)")
    if whole.complete {
        var random = Fuzz.random(for: input)
        var encoded: [UInt8] = []
        var offset = 0
        while offset < whole.body.count {
            let end = min(whole.body.count, offset + 1 + random.below(300))
            whole.body[offset..<end].withUnsafeBytes { HTTPWriter.appendChunk($0, to: &encoded) }
            offset = end
        }
        HTTPWriter.appendLastChunk(to: &encoded)
        let again = ChunkedBody.decode([encoded])
        Fuzz.check(again == ChunkedBody.Outcome(body: whole.body, consumed: encoded.count, complete: true, error: nil),
                   "re-encoded body decodes as \(again)")
    }
    return 0
}

enum ChunkedBody {
    struct Outcome: Equatable {
        var body: [UInt8] = []
        /// Bytes of the input that belong to the body; 0 after an error.
        var consumed = 0
        var complete = false
        var error: HTTPParseError?
    }

    static func decode(_ reads: [[UInt8]]) -> Outcome {
        var decoder = BodyDecoder(framing: .chunked)
        var outcome = Outcome()
        for read in reads {
            switch feed(&decoder, read, into: &outcome.body) {
            case .success(let used):
                Fuzz.check(used >= 0 && used <= read.count, "used \(used) of \(read.count)")
                Fuzz.check(used == read.count || decoder.isComplete, "stopped at \(used) of \(read.count) mid-body")
                outcome.consumed += used
            case .failure(let error):
                outcome.error = error
                outcome.consumed = 0
                var ignored: [UInt8] = []
                let again = feed(&decoder, Array("0\r\n\r\n".utf8), into: &ignored)
                Fuzz.check(again == .failure(error), "a failed decoder went on: \(again)")
            }
            if decoder.isComplete || outcome.error != nil { break }
        }
        outcome.complete = decoder.isComplete
        Fuzz.check(decoder.finishAtEOF() == outcome.complete, "EOF verdict differs from isComplete")
        return outcome
    }

    /// One `decode` call; body bytes are appended to `body`, never as an empty slice.
    static func feed(_ decoder: inout BodyDecoder, _ read: [UInt8], into body: inout [UInt8]) -> Result<Int, HTTPParseError> {
        read.withUnsafeBytes { bytes in
            Result { () throws(HTTPParseError) in
                try decoder.decode(bytes) { slice in
                    Fuzz.check(!slice.isEmpty, "empty emit")
                    body.append(contentsOf: slice)
                }
            }
        }
    }
}
