import LoadDriverCore
import Testing

/// What a reader reported, in order, as text.
private func run(_ kind: DeliveryKind, _ pieces: [[UInt8]], eof: Bool = false) -> [String] {
    var reader = SubscriberReader(kind: kind)
    var events: [String] = []
    let record = { (event: SubscriberReader.Event) in
        switch event {
        case .subscribed: events.append("subscribed")
        case .message(let bytes): events.append("message:" + String(decoding: bytes, as: UTF8.self))
        case .ping(let bytes): events.append("ping:" + String(decoding: bytes, as: UTF8.self))
        case .finished: events.append("finished")
        case .failed(let reason): events.append("failed:" + reason)
        }
    }
    for piece in pieces { piece.withUnsafeBytes { reader.feed($0, event: record) } }
    if eof { reader.finishAtEOF(event: record) }
    return events
}

/// `bytes` cut into pieces of `size` (the last may be shorter).
private func cut(_ bytes: [UInt8], every size: Int) -> [[UInt8]] {
    stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
}

@Suite struct SubscriberReaderTests {
    static let chunkedStream = Array((
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "10\r\n[stream opened]\n\r\n"
        + "9\r\n#0,1,5;.\n\r\n"  // one message in one chunk
        + "4\r\n#0,2\r\n" + "5\r\n,6;.\n\r\n"  // one message over two chunks
        + "12\r\n#0,3,7;\n#0,4,8;..\n\r\n"  // two messages in one chunk
        + "0\r\n\r\n").utf8)

    static let expectedStream = ["subscribed", "message:[stream opened]", "message:#0,1,5;.", "message:#0,2,6;.",
                                 "message:#0,3,7;", "message:#0,4,8;..", "finished"]

    @Test func chunkedStreamSplitAnywhere() {
        for size in [1, 2, 3, 7, 50, Self.chunkedStream.count] {
            #expect(run(.stream, cut(Self.chunkedStream, every: size)) == Self.expectedStream, "pieces of \(size)")
        }
    }

    @Test func untilCloseStreamEndsAtEOF() {
        let bytes = Array("HTTP/1.0 200 OK\r\n\r\n#1,0,1;\n#1,1,2;\n".utf8)
        #expect(run(.stream, [bytes], eof: true) == ["subscribed", "message:#1,0,1;", "message:#1,1,2;", "finished"])
    }

    @Test func refusedSubscription() {
        #expect(run(.stream, [Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".utf8)]) == ["failed:status 404"])
        #expect(run(.stream, [Array("HTTP/1.1 500 Oops\r\nContent-Length: 9\r\n\r\nbad\nthing".utf8)]) == ["failed:status 500: bad thing"])
        #expect(run(.stream, [Array("HTTP/1.1 200 OK\r\n".utf8)], eof: true) == ["failed:connection closed by the server"])
    }

    @Test func longPollResponseIsOneMessage() {
        let bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n#2,0,9;\n".utf8)
        for size in [1, 5, bytes.count] {
            #expect(run(.response, cut(bytes, every: size)) == ["message:#2,0,9;", "finished"])
        }
    }

    @Test func webSocketAfter101() {
        var bytes = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".utf8)
        WebSocketFrameEncoder.append(opcode: .text, payload: Array("#0,0,1;".utf8), mask: nil, to: &bytes)
        WebSocketFrameEncoder.append(opcode: .ping, payload: Array("p".utf8), mask: nil, to: &bytes)
        WebSocketFrameEncoder.append(opcode: .text, payload: Array("#0,1,2;".utf8), mask: nil, to: &bytes)
        WebSocketFrameEncoder.append(opcode: .close, payload: [0x03, 0xE8], mask: nil, to: &bytes)
        for size in [1, 4, bytes.count] {
            #expect(run(.ws, cut(bytes, every: size)) == ["subscribed", "message:#0,0,1;", "ping:p", "message:#0,1,2;", "finished"])
        }
        #expect(run(.ws, [Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)]) == ["failed:status 200 instead of 101"])
    }
}
