import ArgumentParser

@main
struct LoadDriver: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loaddriver",
        abstract: "Load driver for pushpind's benchmarks (runs on io_uring so it is not the bottleneck).",
        subcommands: [Fanout.self])
}
