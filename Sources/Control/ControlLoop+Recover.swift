import Hub
import Wire

/// `recover` (grip.md §8): forget every channel's last id, so nothing published next is
/// held for a predecessor, and have every shard bring its held sessions up to date.
extension ControlLoop {
    /// `POST /recover/`: checked and authorised as `/publish/`; answered once the shards are told.
    func handleRecover(_ connection: ControlConnection, _ head: HTTPRequestHead) {
        guard let format = admitCommand(connection, head) else { return }
        recover()
        respondDone(connection, format, message: "Updated")
    }

    func recover() {
        controlStats.recoverCommands += 1
        sequencer.forgetLastIDs()
        broadcaster.broadcast(.recover, ring: ring)
    }
}
