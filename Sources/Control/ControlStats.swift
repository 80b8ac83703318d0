/// Counters of the control thread itself (publish API, hub).
struct ControlStats {
    var messagesPublished = 0
    var publishesRejected = 0
    var publishesUnauthorized = 0
}
