import IOUring
import Glibc
import Wire

/// One connection from this shard to a backend; pooled per target when idle.
final class BackendConnection {
    enum State {
        case connecting
        /// Carrying the exchange of a client connection.
        case active(client: ConnectionHandle)
        /// Parked in the pool, waiting for the next request to the same target.
        case idle
        /// Carrying a request for no client (`Grip-Link rel=gone`): closed once the backend
        /// answers, whatever it says, or at the backend timeout.
        case notice
    }

    let slot: UInt32
    var socket = SocketState()
    var state = State.connecting
    var targetKey = ""
    /// Reused from the pool (a failure before any response byte may be a stale keep-alive).
    var reused = false
    var inbound = ByteAccumulator()
    var parser = HTTPResponseParser()
    var receivedAny = false
    /// Set for a TLS backend: `socket.sendQueue` then holds plaintext, sealed into `wire`
    /// (what is sent) once the handshake is done.
    var tls: TLSStream? = nil
    var wire = SendQueue()
    /// Connect target; the kernel reads it until the connect completes, so it lives here.
    let address: UnsafeMutablePointer<sockaddr_storage>
    var addressLength: socklen_t = 0

    init(slot: UInt32) {
        self.slot = slot
        address = .allocate(capacity: 1)
    }

    deinit { address.deallocate() }

    func reset(fd: Int32, generation: UInt32, targetKey: String, to target: SocketAddress) {
        socket = SocketState(fd: fd, generation: generation, lifecycle: .connecting)
        state = .connecting
        self.targetKey = targetKey
        reused = false
        inbound.release()
        parser.reset()
        receivedAny = false
        tls = nil
        address.pointee = target.storage
        addressLength = target.length
    }

    /// Connected, and past the TLS handshake if there is one: bytes for the backend may go.
    var isEstablished: Bool { socket.lifecycle == .open && (tls == nil || tls?.state == .established) }

    /// Bytes waiting to be sent, sealed or not (for backpressure).
    var queuedBytes: Int { socket.sendQueue.byteCount + wire.byteCount }

    /// Ready for a new exchange after being taken from the pool.
    func prepareForReuse(client: ConnectionHandle) {
        state = .active(client: client)
        reused = true
        parser.reset()
        receivedAny = false
    }

    /// Gives back the spare capacity of the receive accumulator and send queue.
    func releaseSpareMemory() {
        if inbound.isEmpty { inbound.release() }
        socket.sendQueue.releaseSpareCapacity()
        wire.releaseSpareCapacity()
    }
}

extension BackendConnection: SlotOccupant {
    var generation: UInt32 { socket.generation }
    var isLive: Bool { socket.isLive }

    static func vacant() -> BackendConnection {
        let backend = BackendConnection(slot: .max)
        backend.socket.generation = .max
        return backend
    }
}
