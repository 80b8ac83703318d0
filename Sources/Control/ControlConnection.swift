import Wire

/// One connection to the control port. Pushpin's control API answers one request per
/// connection, so this is a short-lived object: read a request, answer, close.
final class ControlConnection {
    enum Phase {
        case readingHead
        case readingBody(HTTPRequestHead, expected: Int)
        /// Waiting for the shards' statistics before answering.
        case waitingForStats(StatsRequestKind)
        case responding
        /// Response sent, write side shut down; reading until EOF so the close is not a reset.
        case lingering(deadline: Int64)
    }

    let slot: UInt32
    let fd: Int32
    let generation: UInt32
    var phase = Phase.readingHead
    var inbound: [UInt8] = []
    var parser: HTTPRequestParser
    var recvArmed = false
    var sendInFlight = false
    var closing = false
    /// The peer shut down its side after sending the request; answer, then close.
    var readClosed = false
    /// The response being sent; kept alive here until its send completes.
    var response: [UInt8] = []
    var sentCount = 0

    init(slot: UInt32, fd: Int32, generation: UInt32, maxHeadBytes: Int) {
        self.slot = slot
        self.fd = fd
        self.generation = generation
        parser = HTTPRequestParser(maxHeadBytes: maxHeadBytes)
    }

    var quiet: Bool { !recvArmed && !sendInFlight }
}

enum StatsRequestKind {
    case metrics
    case status
}
