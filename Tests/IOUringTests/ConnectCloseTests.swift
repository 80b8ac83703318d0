import Glibc
import IOUring
import Testing

extension KernelTests {
    @Suite struct ConnectTests {
        /// Connects `fd` to 127.0.0.1:`port` through the ring; the completion's result.
        static func connectThroughRing(_ ring: Ring, fd: Int32, port: UInt16, tag: UserData) throws -> Int32? {
            // The address must outlive the operation, so it lives on the heap until the completion.
            let address = UnsafeMutablePointer<sockaddr_in>.allocate(capacity: 1)
            defer { address.deallocate() }
            address.initialize(to: Loopback.address(port: port))
            address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                ring.prepareConnect(fd: fd, address: $0, length: socklen_t(MemoryLayout<sockaddr_in>.size), userData: tag)
            }
            let completions = try ring.collect { $0.contains { $0.userData == tag } }
            return completions.first { $0.userData == tag }?.result
        }

        @Test func connectToClosedPortIsRefused() throws {
            let ring = try Ring(entries: 8)
            // Bound but not listening: the port stays ours and every connect gets a reset.
            let closedPort = try Loopback.boundSocket(listen: false)
            defer { close(closedPort.fd) }
            let client = try Loopback.tcpSocket()
            defer { close(client) }
            let result = try Self.connectThroughRing(ring, fd: client, port: closedPort.port, tag: UserData(.connect, slot: 1))
            #expect(result == -ECONNREFUSED)
        }

        @Test func connectToListenerSucceeds() throws {
            let ring = try Ring(entries: 8)
            let listener = try Loopback.boundSocket()
            defer { close(listener.fd) }
            let client = try Loopback.tcpSocket()
            defer { close(client) }
            let result = try Self.connectThroughRing(ring, fd: client, port: listener.port, tag: UserData(.connect, slot: 2))
            #expect(result == 0)
            #expect(Loopback.peerPort(of: client) == listener.port)

            let server = accept(listener.fd, nil, nil)  // bounded by SO_RCVTIMEO
            defer { if server >= 0 { close(server) } }
            #expect(server >= 0)
            #expect(Loopback.peerPort(of: server) == Loopback.localPort(of: client))
        }
    }

    @Suite struct CloseTests {
        @Test func closeWithCompletionClosesTheDescriptor() throws {
            let ring = try Ring(entries: 8)
            let fd = try Loopback.movedHigh(try Loopback.tcpSocket())
            #expect(Loopback.isOpen(fd))
            let tag = UserData(.close, slot: 1)
            ring.prepareClose(fd: fd, userData: tag, quiet: false)
            let completions = try ring.collect { $0.contains { $0.userData == tag } }
            #expect(completions.first?.result == 0)
            errno = 0
            #expect(fcntl(fd, F_GETFD) == -1)
            #expect(errno == EBADF)
        }

        @Test func quietCloseClosesWithoutCompletion() throws {
            let ring = try Ring(entries: 8)
            let fd = try Loopback.movedHigh(try Loopback.boundSocket().fd)
            let tag = UserData(.close, slot: 2)
            ring.prepareClose(fd: fd, userData: tag)
            #expect(try ring.submit() == 1)
            // A socket has no flush, so the close runs during submit; allow a few passes anyway.
            var stillOpen = true
            for _ in 0..<50 where stillOpen {
                #expect(try ring.drainReady().isEmpty, "a successful quiet close posts nothing")
                stillOpen = Loopback.isOpen(fd)
                if stillOpen { try ring.submitAndWait(timeoutNanos: 10_000_000) }
            }
            errno = 0
            #expect(fcntl(fd, F_GETFD) == -1)
            #expect(errno == EBADF)
            if stillOpen { close(fd) }
        }

        @Test func quietCloseOfBadDescriptorStillReportsEBADF() throws {
            let ring = try Ring(entries: 8)
            // Beyond the descriptor limit, so closing it cannot hit a real file.
            var limit = rlimit()
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            let unused = Int32(clamping: limit.rlim_cur)
            #expect(!Loopback.isOpen(unused))
            let tag = UserData(.close, slot: 3)
            ring.prepareClose(fd: unused, userData: tag)
            let completions = try ring.collect { $0.contains { $0.userData == tag } }
            #expect(completions.first?.result == -EBADF)
        }
    }
}
