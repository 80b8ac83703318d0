import Wire

/// One connection to the control port. HTTP/1.1 connections stay open for further requests
/// (pipelined ones are answered in order); see `ControlLoop+HTTP.swift` for when they close.
final class ControlConnection {
    enum Phase {
        case readingHead
        case readingBody(HTTPRequestHead, expected: Int)
        /// Waiting for the shards' statistics before answering; later requests wait too.
        case waitingForStats(StatsRequestKind)
        /// The last response is queued: nothing more is read, the connection closes once it is sent.
        case closingAfterResponse
        /// Response sent, write side shut down; reading until EOF so the close is not a reset.
        case lingering(deadline: Int64)
    }

    /// Past this many bytes of unsent responses, pipelined requests wait until the peer reads;
    /// past as many unread request bytes while they wait, reading stops too.
    static let backlogLimit = 64 * 1024

    let slot: UInt32
    let fd: Int32
    let generation: UInt32
    var phase = Phase.readingHead
    /// Received bytes; the first `consumed` belong to requests already answered.
    var inbound: [UInt8] = []
    var consumed = 0
    var parser: HTTPRequestParser
    var recvArmed = false
    /// Reading stopped because requests wait behind a slow reader or a stats query.
    var readPaused = false
    var sendInFlight = false
    var closing = false
    /// The peer shut down its side; answer what was received, then close.
    var readClosed = false
    /// The request being answered: its version, whether it keeps the connection, and HEAD.
    var request = (version: HTTPVersion.http11, keepAlive: false, headOnly: false)
    /// Bytes handed to the kernel (kept alive here until their send completes), and the
    /// responses queued behind them.
    var sending: [UInt8] = []
    var sentCount = 0
    var queued: [UInt8] = []
    /// Last byte received or sent, for the idle timeout.
    var lastActivity: Int64

    init(slot: UInt32, fd: Int32, generation: UInt32, maxHeadBytes: Int, now: Int64) {
        self.slot = slot
        self.fd = fd
        self.generation = generation
        parser = HTTPRequestParser(maxHeadBytes: maxHeadBytes)
        lastActivity = now
    }

    var quiet: Bool { !recvArmed && !sendInFlight }
    var unread: Int { inbound.count - consumed }
    var outboundBacklog: Int { sending.count - sentCount + queued.count }

    /// Drops the bytes of answered requests, keeping the buffer's storage.
    func compact() {
        guard consumed > 0 else { return }
        if consumed == inbound.count {
            inbound.removeAll(keepingCapacity: true)
        } else {
            inbound.removeFirst(consumed)
        }
        consumed = 0
    }
}

enum StatsRequestKind {
    case metrics
    case status
}
