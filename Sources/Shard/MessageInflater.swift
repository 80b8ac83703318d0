import CZlib

/// Inflates the messages a client sends compressed under permessage-deflate (RFC 7692).
///
/// pushpind never compresses what it sends (uncompressed messages are always allowed), so
/// published frames stay shared bytes; only receiving needs zlib, and only on connections
/// that negotiated the extension.
final class MessageInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    /// The client keeps no context between messages: start each message afresh.
    let resetEachMessage: Bool
    private var scratch = [UInt8](repeating: 0, count: 16384)

    init?(resetEachMessage: Bool) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        self.resetEachMessage = resetEachMessage
        guard czlib_inflate_init_raw(stream) == Z_OK else {
            stream.deallocate()
            return nil
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// The message's bytes, or nil when the data is not valid deflate or inflates to more
    /// than `maxBytes` (a compression bomb must not get past the message size limit).
    func inflate(_ payload: [UInt8], maxBytes: Int) -> [UInt8]? {
        var input = payload
        input += [0x00, 0x00, 0xFF, 0xFF]  // the tail every compressed message drops (RFC 7692 §7.2.1)
        var output: [UInt8] = []
        let ok = input.withUnsafeMutableBufferPointer { inputBytes -> Bool in
            stream.pointee.next_in = inputBytes.baseAddress
            stream.pointee.avail_in = UInt32(inputBytes.count)
            return scratch.withUnsafeMutableBufferPointer { scratchBytes -> Bool in
                while true {
                    stream.pointee.next_out = scratchBytes.baseAddress
                    stream.pointee.avail_out = UInt32(scratchBytes.count)
                    let rc = CZlib.inflate(stream, Z_SYNC_FLUSH)
                    let produced = scratchBytes.count - Int(stream.pointee.avail_out)
                    guard rc == Z_OK || rc == Z_BUF_ERROR || rc == Z_STREAM_END else { return false }
                    output.append(contentsOf: scratchBytes[0..<produced])
                    if output.count > maxBytes { return false }
                    if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return true }
                    if rc == Z_BUF_ERROR && produced == 0 { return stream.pointee.avail_in == 0 }
                }
            }
        }
        if resetEachMessage || !ok { inflateReset(stream) }
        return ok ? output : nil
    }
}
