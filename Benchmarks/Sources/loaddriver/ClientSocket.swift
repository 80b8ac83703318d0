import Glibc
import IOUring

/// Client sockets made outside the ring; the ring then connects them.
enum ClientSocket {
    /// `IP_BIND_ADDRESS_NO_PORT` (linux/in.h): bind picks the source address only and leaves the
    /// port to connect, so each source address gets the whole ephemeral range per destination.
    private static let bindAddressNoPort: Int32 = 24

    /// A TCP socket for `target`'s family, bound to `source` (an IPv4 address, port 0) when given.
    static func make(for target: SocketAddress, source: in_addr?, noDelay: Bool) throws(SocketError) -> Int32 {
        let fd = socket(target.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(errno: errno, operation: "socket") }
        var one: Int32 = 1
        if noDelay { setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) }
        guard let source, target.family == AF_INET else { return fd }
        setsockopt(fd, Int32(IPPROTO_IP), bindAddressNoPort, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = source
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw SocketError(errno: code, operation: "bind source address")
        }
        return fd
    }

    /// 127.0.0.1 … 127.0.0.`count`: loopback source addresses, each with its own port range.
    static func loopbackSources(count: Int) -> [in_addr] {
        (1...max(1, count)).map { in_addr(s_addr: (UInt32(0x7F00_0000) | UInt32($0)).bigEndian) }
    }

    /// Ends a connection at once: shutdown first wakes any receive still armed on it.
    static func abort(_ fd: Int32) {
        guard fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    /// The kernel's name for an errno, for error tallies.
    static func errorName(_ code: Int32) -> String {
        switch code {
        case ECONNREFUSED: return "ECONNREFUSED"
        case ECONNRESET: return "ECONNRESET"
        case ETIMEDOUT: return "ETIMEDOUT"
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL"
        case EADDRINUSE: return "EADDRINUSE"
        case EMFILE: return "EMFILE"
        case ENFILE: return "ENFILE"
        case EPIPE: return "EPIPE"
        case ECANCELED: return "ECANCELED"
        case ENOBUFS: return "ENOBUFS"
        default: return "errno \(code)"
        }
    }
}
