import ArgumentParser
import Control
import Foundation
import Hub
import IOUring
import Logging
import Shard
import Wire

@main
struct Pushpind: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "pushpind",
        abstract: "A Pushpin-compatible realtime reverse proxy (GRIP proxy).",
        discussion: """
            Reads the same pushpin.conf and routes files as Pushpin. With no configuration it \
            serves the built-in test handler on port 7999 and the control API on 127.0.0.1:5561.
            """,
        version: version,
        subcommands: [PublishCommand.self])

    @Option(name: .long, help: "pushpin.conf to read (default: built-in defaults).")
    var config: String?

    @Option(name: .long, help: "Routes file, overriding [proxy] routesfile.")
    var routes: String?

    @Option(name: .long, help: "Shard threads, one per core (default: number of CPUs).")
    var shards: Int?

    @Option(name: .long, help: "Single client listener [addr:]port, overriding [runner] http_port.")
    var port: String?

    @Option(name: .long, help: "Control API port on 127.0.0.1 (or [handler] push_in_http_addr).")
    var controlPort: Int?

    @Option(name: .long, help: "0 error, 1 warning, 2 info, 3 debug, 4 trace (default: [runner] log_level, 2).")
    var logLevel: Int?

    func validate() throws {
        if let shards, shards < 1 || shards > 1024 { throw ValidationError("--shards must be between 1 and 1024") }
        if let controlPort, !(1...65535).contains(controlPort) { throw ValidationError("--control-port must be 1-65535") }
        if let logLevel, !(0...4).contains(logLevel) { throw ValidationError("--log-level must be 0-4") }
    }

    func run() throws {
        let settings: Settings
        do {
            settings = try Settings.load(self)
        } catch {
            throw ValidationError("configuration: \(error)")
        }
        try Server(settings: settings).run()
    }
}
