/// Counters of the control thread itself (publish API, hub).
struct ControlStats {
    var messagesPublished = 0
    var publishesRejected = 0
    var publishesUnauthorized = 0
    /// Control-port requests whose HTTP could not be read (answered 400/411, then closed).
    var badRequests = 0
    /// `POST /recover/` and the command socket's `recover`.
    var recoverCommands = 0
    /// ZeroMQ messages read, and those dropped as malformed, by input socket.
    var zeroMQReceived: [ZeroMQRole: Int] = [:]
    var zeroMQRejected: [ZeroMQRole: Int] = [:]
    /// Stats socket messages sent, and those libzmq refused (past the high-water mark).
    var statsSent = 0
    var statsDropped = 0
}
