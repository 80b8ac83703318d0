/// Reads HTTP messages off one socket: heads, chunk lines and bodies, keeping whatever
/// arrived past the current message for the next one (keep-alive and pipelining).
/// Bodies go to a sink piece by piece so a 50 MB body never sits in memory.
final class MessageReader {
    let socket: TCPSocket
    private var buffer: [UInt8] = []
    private var start = 0
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)

    init(socket: TCPSocket) {
        self.socket = socket
    }

    /// Bytes received but not yet consumed.
    var bufferedCount: Int { buffer.count - start }

    /// One recv appended to the buffer; false at EOF.
    private func fill(_ deadline: Deadline, _ operation: String) throws -> Bool {
        if deadline.hasPassed { throw HarnessError.timedOut(operation) }
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 64 * 1024 {
            buffer.removeFirst(start)
            start = 0
        }
        let count: Int
        do {
            count = try scratch.withUnsafeMutableBytes { raw in try socket.receive(into: raw) }
        } catch let error as HarnessError where error.kind == .timedOut {
            throw HarnessError.timedOut("\(operation) (\(bufferedCount) bytes pending)")
        }
        guard count > 0 else { return false }
        buffer.append(contentsOf: scratch[0..<count])
        return true
    }

    /// Reads a head up to and including CRLFCRLF. Nil when the peer closed cleanly before
    /// sending a byte (the normal end of a keep-alive connection).
    func readHead(limit: Int = 64 * 1024, deadline: Deadline) throws -> [UInt8]? {
        // Relative to `start`: `fill` may compact the buffer and move absolute indices.
        var scanned = 0
        while true {
            if let end = findHeadEnd(from: start + scanned) {
                let head = Array(buffer[start..<end])
                start = end
                return head
            }
            if bufferedCount > limit { throw HarnessError.malformed("head longer than \(limit) bytes") }
            scanned = max(0, bufferedCount - 3)
            guard try fill(deadline, "read head") else {
                if bufferedCount == 0 { return nil }
                throw HarnessError.closed("read head (after \(bufferedCount) bytes)")
            }
        }
    }

    private func findHeadEnd(from: Int) -> Int? {
        var index = max(from, start)
        while index + 3 < buffer.count {
            if buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
                return index + 4
            }
            index += 1
        }
        return nil
    }

    /// Reads one CRLF-terminated line (without the CRLF).
    func readLine(limit: Int = 8 * 1024, deadline: Deadline) throws -> [UInt8] {
        while true {
            if let lf = buffer[start...].firstIndex(of: 10) {
                var end = lf
                if end > start && buffer[end - 1] == 13 { end -= 1 }
                let line = Array(buffer[start..<end])
                start = lf + 1
                return line
            }
            if bufferedCount > limit { throw HarnessError.malformed("line longer than \(limit) bytes") }
            guard try fill(deadline, "read line") else { throw HarnessError.closed("read line") }
        }
    }

    /// Passes exactly `count` bytes to `sink`.
    func readExactly(
        _ count: Int, deadline: Deadline, sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var left = count
        while left > 0 {
            if bufferedCount == 0 {
                guard try fill(deadline, "read body") else { throw HarnessError.closed("read body (\(left) of \(count) bytes missing)") }
            }
            let take = min(left, bufferedCount)
            try buffer.withUnsafeBytes { (raw) throws in
                try sink(UnsafeRawBufferPointer(rebasing: raw[start..<(start + take)]))
            }
            start += take
            left -= take
        }
    }

    /// Passes every byte until EOF to `sink`.
    func readUntilClose(deadline: Deadline, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            if bufferedCount > 0 {
                try buffer.withUnsafeBytes { (raw) throws in
                    try sink(UnsafeRawBufferPointer(rebasing: raw[start...]))
                }
                start = buffer.count
            }
            guard try fill(deadline, "read body until close") else { return }
        }
    }

    /// Reads a body framed as `framing`, handing its decoded bytes to `sink`.
    /// Returns the number of chunks seen (0 unless chunked).
    @discardableResult
    func readBody(
        _ framing: BodyFraming, deadline: Deadline, sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        switch framing {
        case .none:
            return 0
        case .contentLength(let length):
            try readExactly(length, deadline: deadline, sink: sink)
            return 0
        case .untilClose:
            try readUntilClose(deadline: deadline, sink: sink)
            return 0
        case .chunked:
            return try readChunked(deadline: deadline, sink: sink)
        }
    }

    private func readChunked(
        deadline: Deadline, sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        var chunks = 0
        for _ in 0..<10_000_000 {
            let line = try readLine(deadline: deadline)
            let sizeText = String(decoding: line.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self).trimmingSpaces()
            guard let size = Int(sizeText, radix: 16), size >= 0 else {
                throw HarnessError.malformed("chunk size line \(String(decoding: line, as: UTF8.self).debugDescription)")
            }
            if size == 0 {
                // Trailer fields, then the empty line that ends the message.
                for _ in 0..<1000 {
                    if try readLine(deadline: deadline).isEmpty { return chunks }
                }
                throw HarnessError.malformed("more than 1000 trailer lines")
            }
            chunks += 1
            try readExactly(size, deadline: deadline, sink: sink)
            guard try readLine(deadline: deadline).isEmpty else { throw HarnessError.malformed("chunk not followed by CRLF") }
        }
        throw HarnessError.malformed("more than 10M chunks")
    }

    /// What the peer does within `timeout` when we expect nothing more from it.
    func peerState(within timeout: Duration) -> PeerState {
        if bufferedCount > 0 { return .sentData }
        socket.setTimeout(timeout)
        defer { socket.setTimeout(TCPSocket.defaultTimeout) }
        do {
            return try fill(Deadline(in: timeout + .seconds(1)), "peer state") ? .sentData : .closed
        } catch {
            guard let error = error as? HarnessError else { return .open }
            if error.kind == .timedOut { return .open }
            return error.isPeerGone ? .reset : .open
        }
    }
}

/// What a connection looks like from our side when we are waiting for nothing.
enum PeerState: Equatable {
    /// Clean EOF.
    case closed
    /// RST (ECONNRESET) or similar.
    case reset
    /// Still open and silent.
    case open
    /// Bytes arrived.
    case sentData

    var isGone: Bool { self == .closed || self == .reset }
}
