import Glibc
import IOUring
import Testing

extension KernelTests {
    @Suite struct RecvSendTests {
        /// The bytes of the buffer a completion lent, copied out.
        static func payload(of completion: Completion, in buffers: BufferRing) -> [UInt8]? {
            guard let id = completion.bufferID, completion.result > 0 else { return nil }
            return Array(buffers.bytes(id, count: Int(completion.result)))
        }

        @Test func multishotRecvFillsProvidedBuffersAndSeesEOF() throws {
            let ring = try Ring(entries: 16)
            let listener = try Loopback.boundSocket()
            defer { close(listener.fd) }
            let pair = try Loopback.connectedPair(listener: listener.fd, port: listener.port)
            defer { close(pair.server) }
            var clientOpen = true
            defer { if clientOpen { close(pair.client) } }

            let buffers = try BufferRing(ring: ring, groupID: 1, count: 8, size: 4096)
            let recvTag = UserData(.recv, slot: 1)
            ring.prepareMultishotRecv(fd: pair.server, bufferGroup: 1, userData: recvTag)
            try ring.submit()

            // More rounds than buffers: only recycling keeps the receive going.
            var usedIDs = Set<UInt16>()
            for round in 0..<20 {
                let message = Loopback.pattern(count: 100 + round * 37, seed: round)
                #expect(Loopback.sendAll(pair.client, message))
                var received: [UInt8] = []
                let completions = try ring.collect {
                    received = $0.compactMap { Self.payload(of: $0, in: buffers) }.flatMap { $0 }
                    return received.count >= message.count || $0.contains { !$0.hasMore }
                }
                #expect(completions.allSatisfy { $0.userData == recvTag && $0.hasMore && $0.bufferID != nil })
                #expect(received == message, "round \(round)")
                for completion in completions {
                    if let id = completion.bufferID {
                        usedIDs.insert(id)
                        buffers.recycle(id)
                    }
                }
                buffers.commit()
            }
            #expect(usedIDs.isSubset(of: Set(0..<8)))

            close(pair.client)
            clientOpen = false
            let end = try ring.collectUntilFinal(recvTag)
            #expect(end.last?.userData == recvTag)
            #expect(end.last?.result == 0, "EOF")
            #expect(end.last?.bufferID == nil, "EOF lends no buffer")
            #expect(end.last?.hasMore == false)
            end.compactMap(\.bufferID).forEach { buffers.recycle($0) }
            buffers.commit()
            withExtendedLifetime(buffers) {}
        }

        @Test func sendArrivesAtThePeer() throws {
            let ring = try Ring(entries: 8)
            let listener = try Loopback.boundSocket()
            defer { close(listener.fd) }
            let pair = try Loopback.connectedPair(listener: listener.fd, port: listener.port)
            defer {
                close(pair.client)
                close(pair.server)
            }

            let message = Loopback.pattern(count: 10_000, seed: 3)
            let outgoing = UnsafeMutableRawBufferPointer.allocate(byteCount: message.count, alignment: 1)
            defer { outgoing.deallocate() }
            outgoing.copyBytes(from: message)

            let sendTag = UserData(.send, slot: 4, generation: 2)
            ring.prepareSend(fd: pair.server, bytes: outgoing.baseAddress!, count: message.count, userData: sendTag)
            let completions = try ring.collect { $0.contains { $0.userData == sendTag } }
            #expect(completions.count == 1)
            #expect(completions.first?.result == Int32(message.count))
            #expect(Loopback.receive(pair.client, count: message.count) == message)
        }

        @Test func sendToClosedPeerIsAnErrorNotASignal() throws {
            let ring = try Ring(entries: 8)
            let listener = try Loopback.boundSocket()
            defer { close(listener.fd) }
            let pair = try Loopback.connectedPair(listener: listener.fd, port: listener.port)
            defer { close(pair.server) }
            // SO_LINGER 0: the close resets the connection at once.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(pair.client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            close(pair.client)

            let message = Loopback.pattern(count: 64)
            let outgoing = UnsafeMutableRawBufferPointer.allocate(byteCount: message.count, alignment: 1)
            defer { outgoing.deallocate() }
            outgoing.copyBytes(from: message)
            var results: [Int32] = []
            // A reset peer fails the first or second send, depending on when the RST lands.
            for attempt in 0..<3 where !results.contains(where: { $0 < 0 }) {
                let tag = UserData(.send, slot: UInt32(attempt))
                ring.prepareSend(fd: pair.server, bytes: outgoing.baseAddress!, count: message.count, userData: tag)
                results += try ring.collect { $0.contains { $0.userData == tag } }.map(\.result)
            }
            #expect(results.contains { $0 == -EPIPE || $0 == -ECONNRESET })
        }

        @Test func exhaustedBufferGroupEndsMultishotWithENOBUFS() throws {
            let ring = try Ring(entries: 16)
            let listener = try Loopback.boundSocket()
            defer { close(listener.fd) }
            let pair = try Loopback.connectedPair(listener: listener.fd, port: listener.port)
            defer {
                close(pair.client)
                close(pair.server)
            }
            let buffers = try BufferRing(ring: ring, groupID: 1, count: 8, size: 4096)
            let recvTag = UserData(.recv, slot: 2)
            ring.prepareMultishotRecv(fd: pair.server, bufferGroup: 1, userData: recvTag)
            try ring.submit()

            // Ten full buffers' worth, and nothing recycled: the ninth buffer is missing.
            let stream = Loopback.pattern(count: 10 * 4096, seed: 11)
            #expect(Loopback.sendAll(pair.client, stream))
            let first = try ring.collectUntilFinal(recvTag)
            guard let last = first.last else {
                Issue.record("no completion")
                return
            }
            #expect(last.result == -ENOBUFS)
            #expect(!last.hasMore)
            let data = first.dropLast()
            #expect(data.allSatisfy { $0.result > 0 && $0.hasMore })
            let ids = data.compactMap(\.bufferID)
            #expect(ids.count == 8 && Set(ids).count == 8, "every buffer lent exactly once")
            var received = data.compactMap { Self.payload(of: $0, in: buffers) }.flatMap { $0 }
            #expect(received == Array(stream.prefix(received.count)))

            // Give the buffers back and re-arm: the rest of the stream arrives intact.
            ids.forEach { buffers.recycle($0) }
            buffers.commit()
            let rearmTag = UserData(.recv, slot: 2, generation: 2)
            ring.prepareMultishotRecv(fd: pair.server, bufferGroup: 1, userData: rearmTag)
            var rounds = 0
            while received.count < stream.count, rounds < 20 {
                rounds += 1
                let needed = stream.count - received.count
                var got = 0
                let more = try ring.collect {
                    got = $0.reduce(0) { $0 + max(Int($1.result), 0) }
                    return got >= needed || $0.contains { !$0.hasMore }
                }
                for completion in more {
                    if let bytes = Self.payload(of: completion, in: buffers) { received += bytes }
                    if let id = completion.bufferID { buffers.recycle(id) }
                }
                buffers.commit()
                if more.contains(where: { !$0.hasMore }) { break }
            }
            #expect(received == stream)

            ring.prepareCancelAll(fd: pair.server, userData: UserData(.cancel))
            _ = try ring.collectUntilFinal(rearmTag)
            withExtendedLifetime(buffers) {}
        }

        @Test func cancelAllOnDescriptorEndsPendingRecv() throws {
            let ring = try Ring(entries: 8)
            let listener = try Loopback.boundSocket()
            defer { close(listener.fd) }
            let pair = try Loopback.connectedPair(listener: listener.fd, port: listener.port)
            defer {
                close(pair.client)
                close(pair.server)
            }
            let buffers = try BufferRing(ring: ring, groupID: 3, count: 4, size: 1024)
            let recvTag = UserData(.recv, slot: 5)
            let cancelTag = UserData(.cancel, slot: 5)
            ring.prepareMultishotRecv(fd: pair.server, bufferGroup: 3, userData: recvTag)
            try ring.submit()
            #expect(try ring.drainReady().isEmpty, "nothing received yet")

            ring.prepareCancelAll(fd: pair.server, userData: cancelTag)
            var completions = try ring.collectUntilFinal(recvTag)
            completions += try ring.drainReady()
            let recv = completions.filter { $0.userData == recvTag }
            #expect(recv.count == 1)
            #expect(recv.first?.result == -ECANCELED)
            #expect(recv.first?.hasMore == false)
            #expect(!completions.contains { $0.userData == cancelTag }, "a successful cancel posts no completion")

            // Nothing is armed any more: data now stays in the socket.
            #expect(Loopback.sendAll(pair.client, [1, 2, 3]))
            try ring.submitAndWait(timeoutNanos: 20_000_000)
            #expect(try ring.drainReady().isEmpty)
            withExtendedLifetime(buffers) {}
        }

        @Test func cancelAllWithNothingInFlightIsSilent() throws {
            let ring = try Ring(entries: 8)
            let listener = try Loopback.boundSocket()
            defer { close(listener.fd) }
            // With CANCEL_ALL the result is the number cancelled, so zero counts as success
            // and is skipped like any other successful cancel.
            ring.prepareCancelAll(fd: listener.fd, userData: UserData(.cancel, slot: 6))
            #expect(try ring.submit() == 1)
            #expect(try ring.drainReady().isEmpty)
        }
    }
}
