import Foundation

/// Many streaming subscribers read by one thread with `poll`: thousands of held
/// connections without a thread each. Each connection sends one GET, then its response is
/// decoded incrementally by its `StreamDecoder`.
final class SubscriberSwarm {
    private(set) var sockets: [TCPSocket] = []
    private(set) var decoders: [StreamDecoder] = []
    /// EOF or reset seen on the connection.
    private(set) var gone: [Bool] = []
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)
    private var isClosed = false
    /// Subscribers closed one by one (`close(_:)`), not to be closed again.
    private var closedHere: Set<Int> = []

    var count: Int { sockets.count }

    deinit { closeAll() }

    /// Connects one more subscriber and sends `GET target`; returns its index.
    @discardableResult
    func add(port: UInt16, target: String) throws -> Int {
        let socket = try TCPSocket.connect(port: port, timeout: .seconds(10))
        do {
            try socket.send(HTTPRequest.get(target).bytes, deadline: Deadline(in: .seconds(10)))
        } catch {
            socket.close()
            throw error
        }
        _ = fcntl(socket.fd, F_SETFL, fcntl(socket.fd, F_GETFL) | O_NONBLOCK)
        sockets.append(socket)
        decoders.append(StreamDecoder())
        gone.append(false)
        return sockets.count - 1
    }

    /// Reads whatever has arrived on every open connection, repeatedly, until `done`
    /// returns true (checked after each round) or `timeout` passes. Returns `done`'s last answer.
    @discardableResult
    func pump(timeout: Duration, until done: (SubscriberSwarm) -> Bool) -> Bool {
        let deadline = Deadline(in: timeout)
        while true {
            if done(self) { return true }
            if deadline.hasPassed { return false }
            readRound(waitMilliseconds: min(100, deadline.remainingMilliseconds))
        }
    }

    /// One `poll` over all open connections, then recv on each readable one.
    private func readRound(waitMilliseconds: Int32) {
        var entries: [pollfd] = []
        var owners: [Int] = []
        for index in sockets.indices where !gone[index] {
            entries.append(pollfd(fd: sockets[index].fd, events: Int16(POLLIN), revents: 0))
            owners.append(index)
        }
        guard !entries.isEmpty else {
            pause(.milliseconds(Int(waitMilliseconds)))
            return
        }
        let ready = poll(&entries, nfds_t(entries.count), waitMilliseconds)
        guard ready > 0 else { return }
        for (slot, entry) in entries.enumerated() where entry.revents != 0 {
            drain(owners[slot])
        }
    }

    /// Receives until the socket would block (at most 16 reads, so one busy connection
    /// cannot starve the rest).
    private func drain(_ index: Int) {
        for _ in 0..<16 {
            let count = scratch.withUnsafeMutableBytes { recv(sockets[index].fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                scratch.withUnsafeBytes { decoders[index].feed(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
            gone[index] = true  // EOF or error
            return
        }
    }

    /// The decoded body of subscriber `index` as text.
    func bodyText(_ index: Int) -> String { String(decoding: decoders[index].body, as: UTF8.self) }

    /// Closes subscriber `index` (it counts as gone from now on).
    func close(_ index: Int) {
        guard !closedHere.contains(index) else { return }
        closedHere.insert(index)
        sockets[index].close()
        gone[index] = true
    }

    func closeAll() {
        guard !isClosed else { return }
        isClosed = true
        for index in sockets.indices where !closedHere.contains(index) { sockets[index].close() }
    }
}
