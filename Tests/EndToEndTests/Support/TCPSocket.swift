import Foundation

/// A blocking IPv4 TCP socket on loopback. A plain value around the fd: whoever created it
/// closes it exactly once. Every socket is CLOEXEC so a spawned pushpind inherits none of
/// the harness's fds (that would skew its fd count and keep ports alive).
struct TCPSocket: Sendable {
    let fd: Int32

    /// Default bound on a single blocking recv or send.
    static let defaultTimeout: Duration = .seconds(5)

    // MARK: - Creating

    private static func makeFD() throws -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw HarnessError.system("socket") }
        return fd
    }

    private static func loopbackAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    /// Listens on 127.0.0.1:`port` (0 picks a free port; read it back with `localPort`).
    static func listen(port: UInt16 = 0, backlog: Int32 = 256) throws -> TCPSocket {
        let fd = try makeFD()
        let socket = TCPSocket(fd: fd)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        try socket.bindLoopback(port: port)
        guard Glibc.listen(fd, backlog) == 0 else { socket.close(); throw HarnessError.system("listen") }
        return socket
    }

    /// Bound to 127.0.0.1:`port` but not listening: nothing else can take the port (not
    /// `freePort()`, not a server started later), and connects to it are refused.
    static func reserve(port: UInt16 = 0) throws -> TCPSocket {
        let socket = TCPSocket(fd: try makeFD())
        try socket.bindLoopback(port: port)
        return socket
    }

    private func bindLoopback(port: UInt16) throws {
        var address = Self.loopbackAddress(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { close(); throw HarnessError.system("bind 127.0.0.1:\(port)") }
    }

    /// Connects to 127.0.0.1:`port` without blocking past `timeout`: a full accept backlog
    /// makes a plain blocking connect wait for minutes of SYN retries. `receiveBuffer`
    /// sets SO_RCVBUF before connecting (so the advertised window stays that small).
    static func connect(port: UInt16, timeout: Duration = defaultTimeout, receiveBuffer: Int32? = nil) throws -> TCPSocket {
        let fd = try makeFD()
        let socket = TCPSocket(fd: fd)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var address = loopbackAddress(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 {
            let code = errno
            guard code == EINPROGRESS else { socket.close(); throw HarnessError.system("connect :\(port)", code) }
            var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&entry, 1, Deadline(in: timeout).remainingMilliseconds)
            guard ready == 1 else { socket.close(); throw HarnessError.timedOut("connect :\(port)") }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            guard failure == 0 else { socket.close(); throw HarnessError.system("connect :\(port)", failure) }
        }
        _ = fcntl(fd, F_SETFL, flags)
        socket.setTimeout(timeout)
        socket.setNoDelay()
        return socket
    }

    /// Accepts one connection, waiting at most `timeout`; nil when none arrived.
    func accept(timeout: Duration) throws -> TCPSocket? {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, Deadline(in: timeout).remainingMilliseconds)
        if ready == 0 || (ready < 0 && errno == EINTR) { return nil }
        guard ready > 0 else { throw HarnessError.system("poll(accept)") }
        // accept4 is not visible to Swift (GNU-only); the stub accepts only connections
        // from an already running pushpind, so no spawn can race the fcntl.
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else {
            if errno == EAGAIN || errno == EINTR || errno == ECONNABORTED { return nil }
            throw HarnessError.system("accept")
        }
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        let socket = TCPSocket(fd: client)
        socket.setNoDelay()
        return socket
    }

    // MARK: - Options

    var localPort: UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Bounds each blocking recv and send (SO_RCVTIMEO / SO_SNDTIMEO).
    func setTimeout(_ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        if value.tv_sec == 0 && value.tv_usec == 0 { value.tv_usec = 1000 }  // 0 would mean "forever"
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, size)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, size)
    }

    // MARK: - I/O

    /// Writes all of `bytes`; MSG_NOSIGNAL turns a dead peer into EPIPE instead of SIGPIPE.
    func send(_ bytes: UnsafeRawBufferPointer, deadline: Deadline) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            if deadline.hasPassed { throw HarnessError.timedOut("send") }
            let written = Glibc.send(fd, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { throw HarnessError.timedOut("send") }
                throw HarnessError.system("send")
            }
            offset += written
        }
    }

    func send(_ bytes: [UInt8], deadline: Deadline) throws {
        try bytes.withUnsafeBytes { (raw) throws in try send(raw, deadline: deadline) }
    }

    /// One recv into `buffer`: the byte count, 0 at EOF. Throws `.timedOut` when the socket
    /// timeout passes with nothing to read.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            if errno == EAGAIN { throw HarnessError.timedOut("recv") }
            throw HarnessError.system("recv")
        }
    }

    /// Sends small writes at once. Without it a head and a body written separately wait
    /// for the peer's delayed ACK (Nagle), 40 ms per request, which turns 200 requests into
    /// seconds and hides pushpind's own latency.
    func setNoDelay() {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Makes the next close send RST instead of FIN (SO_LINGER with a zero timeout).
    func setResetOnClose() {
        var value = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &value, socklen_t(MemoryLayout<linger>.size))
    }

    /// Wakes any thread blocked on this socket without releasing the fd number.
    func shutdownBoth() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    func shutdownWrite() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    func close() {
        _ = Glibc.close(fd)
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago: bind port 0, read it, close.
/// Another process may take it before pushpind binds; `PushpindProcess` retries on that.
func freePort() throws -> UInt16 {
    let socket = try TCPSocket.listen(port: 0, backlog: 1)
    defer { socket.close() }
    return socket.localPort
}
