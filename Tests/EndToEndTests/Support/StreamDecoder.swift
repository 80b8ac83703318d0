/// Decodes one streamed HTTP response fed in arbitrary pieces: the head, then the chunked
/// body, keeping the decoded body. For many subscribers read by one `poll` loop, where
/// nothing may block on one connection.
struct StreamDecoder {
    private enum State {
        case head
        case chunkSize
        case chunkData(left: Int)
        case chunkEnd
        case trailer
        case done
    }

    private(set) var head: HTTPHead?
    /// Decoded body bytes (the initial response body first, then every published chunk).
    private(set) var body: [UInt8] = []
    /// The first framing problem seen; decoding stops there.
    private(set) var failure: String?
    private var state = State.head
    private var pending: [UInt8] = []
    private var position = 0

    /// True once the terminating chunk was read.
    var ended: Bool { if case .done = state { return true } else { return false } }
    var status: Int { head.flatMap { Int($0.startLine.1) } ?? -1 }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        if position > 0 && position == pending.count {
            pending.removeAll(keepingCapacity: true)
            position = 0
        } else if position > 64 * 1024 {
            pending.removeFirst(position)
            position = 0
        }
        pending.append(contentsOf: bytes)
        while failure == nil && step() {}
    }

    /// Advances one state; false when more bytes are needed.
    private mutating func step() -> Bool {
        switch state {
        case .head:
            guard let end = find([13, 10, 13, 10]) else { return false }
            do {
                let parsed = try HTTPHead(parsing: Array(pending[position..<(end + 4)]))
                head = parsed
                position = end + 4
                guard try parsed.responseFraming(requestMethod: "GET") == .chunked else {
                    failure = "response \(parsed.startLine.1) is not chunked: \(parsed.headers)"
                    return false
                }
                state = .chunkSize
            } catch {
                failure = "bad head: \(error)"
                return false
            }
        case .chunkSize:
            guard let line = takeLine() else { return false }
            let text = String(decoding: line.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self).trimmingSpaces()
            guard let size = Int(text, radix: 16), size >= 0 else {
                failure = "bad chunk size line \(String(decoding: line, as: UTF8.self).debugDescription)"
                return false
            }
            state = size == 0 ? .trailer : .chunkData(left: size)
        case .chunkData(let left):
            let take = min(left, pending.count - position)
            guard take > 0 else { return false }
            body.append(contentsOf: pending[position..<(position + take)])
            position += take
            state = left == take ? .chunkEnd : .chunkData(left: left - take)
        case .chunkEnd:
            guard let line = takeLine() else { return false }
            guard line.isEmpty else {
                failure = "chunk data not followed by CRLF"
                return false
            }
            state = .chunkSize
        case .trailer:
            guard let line = takeLine() else { return false }
            if line.isEmpty { state = .done }
        case .done:
            if position < pending.count { failure = "\(pending.count - position) bytes after the last chunk" }
            return false
        }
        return true
    }

    private func find(_ needle: [UInt8]) -> Int? {
        var index = position
        while index + needle.count <= pending.count {
            if pending[index] == needle[0] && Array(pending[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }

    private mutating func takeLine() -> [UInt8]? {
        guard let lf = pending[position...].firstIndex(of: 10) else { return nil }
        let end = lf > position && pending[lf - 1] == 13 ? lf - 1 : lf
        let line = Array(pending[position..<end])
        position = lf + 1
        return line
    }
}
