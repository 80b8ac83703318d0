import Foundation
import Glibc
import LoadDriverCore
import Testing

/// A tiny WebSocket echo server on loopback: answers the handshake with a 101, then sends
/// every text or binary message back unmasked, answers a ping with a pong and a close with a
/// close. Just enough to run the driver's client side over a real socket.
private final class EchoServer: @unchecked Sendable {
    let listener: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 4) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in serveOne() }
    }

    private func serveOne() {
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !head.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
            guard recv(fd, &buffer, 1, 0) == 1 else { return }
            head.append(buffer[0])
        }
        guard String(decoding: head, as: UTF8.self).lowercased().contains("upgrade: websocket") else { return }
        writeAll(fd, Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n".utf8))
        var decoder = WebSocketFrameDecoder()
        var closed = false
        while !closed {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return }
            var reply: [UInt8] = []
            let ok: Bool = buffer.withUnsafeBytes { raw in
                do {
                    try decoder.feed(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { event in
                        switch event {
                        case .message(let opcode, let payload): WebSocketFrameEncoder.append(opcode: opcode, payload: payload, mask: nil, to: &reply)
                        case .ping(let payload): WebSocketFrameEncoder.append(opcode: .pong, payload: payload, mask: nil, to: &reply)
                        case .pong: break
                        case .close:
                            WebSocketFrameEncoder.append(opcode: .close, payload: [0x03, 0xE8], mask: nil, to: &reply)
                            closed = true
                        }
                    }
                    return true
                } catch {
                    return false
                }
            }
            guard ok else { return }
            writeAll(fd, reply)
        }
    }

    deinit { close(listener) }
}

private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n > 0 else { return }
        sent += n
    }
}

@Suite struct WebSocketEchoTests {
    @Test func clientHandshakeMaskedFramesAndClose() throws {
        let server = try EchoServer()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = UInt16(server.port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var outgoing = SubscribeRequest.bytes(kind: .ws, target: TargetURL("http://127.0.0.1:\(server.port)/ws")!, channel: "bench-0")
        WebSocketFrameEncoder.append(opcode: .text, payload: Array("#0,0,5;....".utf8), mask: 0xA1B2_C3D4, to: &outgoing)
        WebSocketFrameEncoder.append(opcode: .ping, payload: Array("hi".utf8), mask: 0x0102_0304, to: &outgoing)
        WebSocketFrameEncoder.append(opcode: .binary, payload: [UInt8](repeating: 0x41, count: 300), mask: 0x5555_AAAA, to: &outgoing)
        WebSocketFrameEncoder.append(opcode: .close, payload: [0x03, 0xE8], mask: 0xDEAD_BEEF, to: &outgoing)
        writeAll(fd, outgoing)

        var reader = SubscriberReader(kind: .ws)
        var events: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !reader.isDone {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            buffer.withUnsafeBytes { raw in
                reader.feed(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { event in
                    switch event {
                    case .subscribed: events.append("subscribed")
                    case .message(let bytes): events.append("message:\(bytes.count):\(String(decoding: bytes.prefix(7), as: UTF8.self))")
                    case .ping: events.append("ping")
                    case .finished: events.append("finished")
                    case .failed(let reason): events.append("failed:\(reason)")
                    }
                }
            }
        }
        // The pong is consumed inside the reader; the echoed messages come back unmasked.
        #expect(events == ["subscribed", "message:11:#0,0,5;", "message:300:AAAAAAA", "finished"])
        #expect(Array("#0,0,5;....".utf8).withUnsafeBytes { Payload.parse($0) }?.publishedNanos == 5)
    }
}
