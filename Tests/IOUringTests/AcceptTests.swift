import Glibc
import IOUring
import Testing

extension KernelTests {
    @Suite struct AcceptTests {
        @Test func multishotAcceptReportsEveryConnection() throws {
            let ring = try Ring(entries: 16)
            let listener = try Loopback.boundSocket()
            defer { close(listener.fd) }
            let acceptTag = UserData(.accept)
            ring.prepareMultishotAccept(fd: listener.fd, userData: acceptTag)
            try ring.submit()

            var clients: [Int32] = []
            defer { clients.forEach { close($0) } }
            for _ in 0..<3 { clients.append(try Loopback.connectClient(port: listener.port)) }

            let completions = try ring.collect { $0.count { $0.userData == acceptTag } >= 3 }
            let accepts = completions.filter { $0.userData == acceptTag }
            let accepted = accepts.map(\.result).filter { $0 >= 0 }
            defer { accepted.forEach { close($0) } }

            #expect(accepts.count == 3)
            #expect(accepts.allSatisfy { $0.result >= 0 && $0.hasMore })
            #expect(Set(accepted).count == 3)
            let peerPorts = Set(accepted.compactMap { Loopback.peerPort(of: $0) })
            let clientPorts = Set(clients.map { Loopback.localPort(of: $0) })
            #expect(peerPorts == clientPorts, "each accepted fd is one of our clients")

            // Still armed: a fourth client is accepted too.
            clients.append(try Loopback.connectClient(port: listener.port))
            let more = try ring.collect { $0.contains { $0.userData == acceptTag } }
            #expect(more.count == 1 && more.first?.result ?? -1 >= 0 && more.first?.hasMore == true)
            more.map(\.result).filter { $0 >= 0 }.forEach { close($0) }

            ring.prepareCancel(target: acceptTag, userData: UserData(.cancel))
            _ = try ring.collectUntilFinal(acceptTag)
        }

        /// The shard does not set TCP_NODELAY per connection: accepted sockets inherit it.
        @Test func listeningSocketHandsNoDelayToAcceptedSockets() throws {
            let address = try #require(SocketAddress.resolve(host: "127.0.0.1", port: 0).first)
            let listener = try ListeningSocket.open(on: address, reusePort: false)
            defer { close(listener) }
            let client = try Loopback.connectClient(port: Loopback.localPort(of: listener))
            defer { close(client) }
            let accepted = accept(listener, nil, nil)
            defer { close(accepted) }
            #expect(accepted >= 0)
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            #expect(getsockopt(accepted, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &length) == 0)
            #expect(value == 1)
        }

        @Test func cancellingArmedAcceptEndsItWithECANCELED() throws {
            let ring = try Ring(entries: 8)
            let listener = try Loopback.boundSocket()
            defer { close(listener.fd) }
            let acceptTag = UserData(.accept, slot: 3)
            let cancelTag = UserData(.cancel, slot: 3)
            ring.prepareMultishotAccept(fd: listener.fd, userData: acceptTag)
            try ring.submit()
            #expect(try ring.drainReady().isEmpty, "nothing to accept yet")

            ring.prepareCancel(target: acceptTag, userData: cancelTag)
            var completions = try ring.collectUntilFinal(acceptTag)
            completions += try ring.drainReady()

            let accept = completions.filter { $0.userData == acceptTag }
            #expect(accept.count == 1)
            #expect(accept.first?.result == -ECANCELED)
            #expect(accept.first?.hasMore == false)
            #expect(!completions.contains { $0.userData == cancelTag }, "a successful cancel posts no completion")

            // Disarmed: a new client waits in the backlog and produces no completion.
            let client = try Loopback.connectClient(port: listener.port)
            defer { close(client) }
            try ring.submitAndWait(timeoutNanos: 20_000_000)
            #expect(try ring.drainReady().isEmpty)
        }

        @Test func cancellingUnknownOperationReportsENOENT() throws {
            let ring = try Ring(entries: 8)
            let cancelTag = UserData(.cancel, slot: 9)
            ring.prepareCancel(target: UserData(.accept, slot: 12345), userData: cancelTag)
            let completions = try ring.collect { $0.contains { $0.userData == cancelTag } }
            #expect(completions.count == 1)
            #expect(completions.first?.result == -ENOENT, "only a successful cancel is silent")
        }
    }
}
