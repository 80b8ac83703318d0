import CZmq
import Glibc

/// One libzmq socket, used only from the control thread and never blocking: the loop
/// polls `fd` through its ring and asks `events` what is ready (libzmq's descriptor is
/// edge-triggered, so every wake-up and every send is followed by draining `events`).
final class ZMQSocket {
    private(set) var handle: UnsafeMutableRawPointer?
    /// libzmq's notification descriptor: readable means "look at `events` again".
    let fd: Int32

    init(context: UnsafeMutableRawPointer, type: Int32) throws(ZMQError) {
        guard let handle = zmq_socket(context, type) else { throw ZMQError.last("zmq_socket") }
        self.handle = handle
        var descriptor: Int32 = -1
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, ZMQ_FD, &descriptor, &size) == 0 else {
            let error = ZMQError.last("ZMQ_FD")
            zmq_close(handle)
            throw error
        }
        fd = descriptor
        // Closing must never wait for unsent messages.
        setOption(ZMQ_LINGER, Int32(0))
    }

    deinit { close() }

    func close() {
        if let handle { zmq_close(handle) }
        handle = nil
    }

    func bind(_ endpoint: String) throws(ZMQError) {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("bind \(endpoint)") }
    }

    func connect(_ endpoint: String) throws(ZMQError) {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("connect \(endpoint)") }
    }

    func setOption(_ option: Int32, _ value: Int32) {
        var value = value
        zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size)
    }

    func setOption(_ option: Int32, _ value: Int64) {
        var value = value
        zmq_setsockopt(handle, option, &value, MemoryLayout<Int64>.size)
    }

    func setOption(_ option: Int32, bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
    }

    /// `ZMQ_EVENTS`; reading it also consumes the notification behind `fd`.
    private var events: Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, ZMQ_EVENTS, &value, &size) == 0 else { return 0 }
        return value
    }

    var isReadable: Bool { events & Int32(ZMQ_POLLIN) != 0 }

    /// The next whole message, its parts in order, or nil when none is waiting. Parts
    /// beyond `maxParts` are read and discarded, and `partCount` still counts them, so
    /// the caller can reject the message for its shape.
    func receive(maxParts: Int) -> (parts: [[UInt8]], partCount: Int)? {
        var parts: [[UInt8]] = []
        var count = 0
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        while true {
            let flags = count == 0 ? ZMQ_DONTWAIT : 0  // later parts are already here
            guard zmq_msg_recv(&message, handle, flags) >= 0 else { return count == 0 ? nil : (parts, count) }
            count += 1
            if parts.count < maxParts {
                let size = zmq_msg_size(&message)
                if let data = zmq_msg_data(&message), size > 0 {
                    parts.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
                } else {
                    parts.append([])
                }
            }
            if zmq_msg_more(&message) == 0 { return (parts, count) }
        }
    }

    /// Sends every part without blocking; false when the socket would block or failed.
    @discardableResult
    func send(_ parts: [[UInt8]]) -> Bool {
        for (index, part) in parts.enumerated() {
            let flags = ZMQ_DONTWAIT | (index < parts.count - 1 ? ZMQ_SNDMORE : 0)
            let sent = part.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            guard sent >= 0 else { return false }
        }
        return true
    }
}

/// A failed libzmq call, with libzmq's description of `errno`.
struct ZMQError: Error, CustomStringConvertible {
    var call: String
    var code: Int32

    static func last(_ call: String) -> ZMQError { ZMQError(call: call, code: zmq_errno()) }

    var description: String { "\(call): \(String(cString: zmq_strerror(code)))" }
}
