import Glibc

/// A failed socket call in the test fixtures.
struct LoopbackError: Error, CustomStringConvertible {
    var call: String
    var errno: Int32

    var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// Which file a descriptor refers to; stable while the file is open.
struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64

    init?(_ fd: Int32) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// Plain blocking socket helpers for the loopback tests. Every blocking call is bounded by
/// SO_RCVTIMEO/SO_SNDTIMEO so a broken ring fails the test instead of hanging it.
enum Loopback {
    static let ioTimeoutSeconds = 5

    static func address(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    static func tcpSocket() throws(LoopbackError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LoopbackError(call: "socket", errno: errno) }
        var timeout = timeval(tv_sec: ioTimeoutSeconds, tv_usec: 0)
        let length = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, length)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, length)
        return fd
    }

    /// A socket bound to 127.0.0.1 on a kernel-chosen port; listening when `listen` is true.
    /// A bound socket that does not listen refuses connections, and keeps its port taken.
    static func boundSocket(listen shouldListen: Bool = true) throws(LoopbackError) -> (fd: Int32, port: UInt16) {
        let fd = try tcpSocket()
        var address = address(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let error = LoopbackError(call: "bind", errno: errno)
            close(fd)
            throw error
        }
        if shouldListen, listen(fd, 64) != 0 {
            let error = LoopbackError(call: "listen", errno: errno)
            close(fd)
            throw error
        }
        return (fd, localPort(of: fd))
    }

    /// A client socket connected with a plain blocking connect.
    static func connectClient(port: UInt16) throws(LoopbackError) -> Int32 {
        let fd = try tcpSocket()
        var address = address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = LoopbackError(call: "connect", errno: errno)
            close(fd)
            throw error
        }
        return fd
    }

    /// A connected pair: the client end and the server end accepted from `listener`.
    static func connectedPair(listener: Int32, port: UInt16) throws(LoopbackError) -> (client: Int32, server: Int32) {
        let client = try connectClient(port: port)
        let server = accept(listener, nil, nil)
        guard server >= 0 else {
            let error = LoopbackError(call: "accept", errno: errno)
            close(client)
            throw error
        }
        return (client, server)
    }

    static func localPort(of fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    static func peerPort(of fd: Int32) -> UInt16? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        return rc == 0 ? UInt16(bigEndian: address.sin_port) : nil
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Exactly `count` bytes, or nil on EOF, error or timeout.
    static func receive(_ fd: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let received = bytes[offset...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received < 0, errno == EINTR { continue }
            guard received > 0 else { return nil }
            offset += received
        }
        return bytes
    }

    /// Whether `fd` names an open file in this process.
    static func isOpen(_ fd: Int32) -> Bool {
        fcntl(fd, F_GETFD) != -1 || errno != EBADF
    }

    /// The number of open file descriptors in this process.
    static func openDescriptorCount() -> Int { openDescriptors().count }

    /// Every open descriptor with the identity of the file behind it.
    static func openDescriptors() -> [Int32: FileIdentity] {
        guard let directory = opendir("/proc/self/fd") else { return [:] }
        defer { closedir(directory) }
        var descriptors: [Int32: FileIdentity] = [:]
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd != dirfd(directory) else { continue }
            if let identity = FileIdentity(fd) { descriptors[fd] = identity }
        }
        return descriptors
    }

    /// `fd` moved to a number near the descriptor limit. Other tests in the process open
    /// files concurrently and always get the lowest free number, so a closed high number is
    /// not reused behind the test's back before it checks for EBADF.
    static func movedHigh(_ fd: Int32) throws(LoopbackError) -> Int32 {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let floor = Int32(clamping: min(Int(limit.rlim_cur) - 64, 40_000))
        let high = fcntl(fd, F_DUPFD_CLOEXEC, max(floor, 3))
        let code = errno
        close(fd)
        guard high >= 0 else { throw LoopbackError(call: "fcntl(F_DUPFD_CLOEXEC)", errno: code) }
        return high
    }

    /// A byte pattern that differs at every offset of a stream, so misplaced chunks show.
    static func pattern(count: Int, seed: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 + seed) &* 31 &+ ($0 + seed) >> 8) }
    }
}
