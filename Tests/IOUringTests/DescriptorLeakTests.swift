import Glibc
import IOUring
import Testing

extension KernelTests {
    @Suite struct DescriptorLeakTests {
        /// A whole connection life through the ring: accept, receive, EOF, close, teardown.
        /// Returns the identity of every file it opened.
        static func serveTwoClients() throws -> Set<FileIdentity> {
            var opened = Set<FileIdentity>()
            let ring = try Ring(entries: 32)
            if let identity = FileIdentity(ring.fd) { opened.insert(identity) }
            let buffers = try BufferRing(ring: ring, groupID: 1, count: 8, size: 2048)
            let listener = try Loopback.boundSocket()
            if let identity = FileIdentity(listener.fd) { opened.insert(identity) }
            let acceptTag = UserData(.accept)
            ring.prepareMultishotAccept(fd: listener.fd, userData: acceptTag)
            try ring.submit()

            var clients: [Int32] = []
            for _ in 0..<2 { clients.append(try Loopback.connectClient(port: listener.port)) }
            clients.compactMap { FileIdentity($0) }.forEach { opened.insert($0) }
            let accepts = try ring.collect { $0.count { $0.userData == acceptTag } >= 2 }
            let servers = accepts.filter { $0.userData == acceptTag && $0.result >= 0 }.map(\.result)
            #expect(servers.count == 2)
            servers.compactMap { FileIdentity($0) }.forEach { opened.insert($0) }

            for (slot, server) in servers.enumerated() {
                ring.prepareMultishotRecv(fd: server, bufferGroup: 1, userData: UserData(.recv, slot: UInt32(slot)))
            }
            try ring.submit()
            for client in clients {
                #expect(Loopback.sendAll(client, Array("ping".utf8)))
                close(client)
            }
            // Data then EOF on both connections.
            let received = try ring.collect { $0.count { $0.userData.op == TestOp.recv.rawValue && !$0.hasMore } >= 2 }
            for completion in received {
                if let id = completion.bufferID { buffers.recycle(id) }
            }
            buffers.commit()
            #expect(received.count { $0.result == 0 && !$0.hasMore } == 2)

            for (slot, server) in servers.enumerated() {
                ring.prepareClose(fd: server, userData: UserData(.close, slot: UInt32(slot)), quiet: false)
            }
            ring.prepareCancel(target: acceptTag, userData: UserData(.cancel))
            let closes = try ring.collect { $0.count { $0.userData.op == TestOp.close.rawValue } >= 2 && $0.contains { $0.userData == acceptTag } }
            #expect(closes.filter { $0.userData.op == TestOp.close.rawValue }.allSatisfy { $0.result == 0 })

            let closeListener = UserData(.close, slot: 99)
            ring.prepareClose(fd: listener.fd, userData: closeListener, quiet: false)
            let last = try ring.collect { $0.contains { $0.userData == closeListener } }
            #expect(last.first { $0.userData == closeListener }?.result == 0)
            withExtendedLifetime(buffers) {}
            return opened
        }

        /// Other test targets run in the same process at the same time and open files too, so
        /// the plain count may move for reasons of theirs: it gets three tries. Files this test
        /// opened are recognised by identity, which other tests cannot disturb.
        @Test func ringTrafficLeavesNoDescriptorsBehind() throws {
            var counts: [(before: Int, after: Int)] = []
            for _ in 0..<3 {
                let before = Loopback.openDescriptorCount()
                let opened = try Self.serveTwoClients()
                let after = Loopback.openDescriptors()
                counts.append((before, after.count))
                #expect(opened.count == 6, "ring, listener, two clients, two accepted")
                let leaked = after.filter { opened.contains($0.value) }.keys.sorted()
                #expect(leaked.isEmpty, "descriptors left open: \(leaked)")
                if before == after.count { break }
            }
            #expect(counts.contains { $0.before == $0.after }, "open descriptor counts (before, after): \(counts)")
        }
    }
}
