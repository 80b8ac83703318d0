import ArgumentParser
import Foundation
import IOUring
import LoadDriverCore

/// `loaddriver fanout`: hold N subscribers, publish M messages per channel, measure.
struct Fanout: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hold subscribers on a GRIP proxy, publish through its control API, measure the fan-out.",
        discussion: """
            Subscriber i listens on channel bench-(i % channels), named in the request as ?channel=NAME \
            (the built-in test handlers of pushpind and Pushpin answer /stream and /response that way; \
            a backend or an Nchan location can take the channel from $arg_channel). \
            Each payload carries its channel, sequence and publish time (CLOCK_MONOTONIC, same process), \
            so loss, duplicates and latency are exact.
            """)

    @Option(help: "Subscriber URL, e.g. http://127.0.0.1:7999/stream")
    var target: String

    @Option(help: "Publish URL, e.g. http://127.0.0.1:5561/publish/ (grip) or http://127.0.0.1:8080/pub (nchan)")
    var publish: String

    @Option(help: "Publish API: grip (Pushpin's JSON control API) or nchan (one message per POST PATH?channel=NAME).")
    var api: String = "grip"

    @Option(help: "stream, response (long-poll, one round) or ws")
    var kind: String = "stream"

    @Option(help: "Subscriber connections to hold.")
    var subscribers: Int = 1000

    @Option(help: "Channels; subscriber i is on channel i % channels.")
    var channels: Int = 10

    @Option(help: "Messages published per channel.")
    var messages: Int = 100

    @Option(help: "Publish rate in items per second over all channels (default: flat out).")
    var rate: Double?

    @Option(help: "Payload bytes as delivered (stamp plus padding, and the stream's newline).")
    var size: Int = 64

    @Option(help: "Loopback source addresses 127.0.0.1 … 127.0.0.N to spread subscribers over.")
    var sources: Int = 4

    @Option(help: "New subscriber connections per second (default: flat out, bounded by --connect-concurrency).")
    var connectRate: Double?

    @Option(help: "Connections allowed between connect and subscribed at once.")
    var connectConcurrency: Int = 1000

    @Option(help: "Bound on each phase (connect, publish, delivery).")
    var timeoutSeconds: Double = 120

    @Option(help: "Pause after the last subscription before sampling memory and publishing.")
    var settleSeconds: Double = 0.5

    @Option(help: "After publishing, stop waiting once no delivery arrived for this long.")
    var idleSeconds: Double = 5

    @Option(help: "Comma-separated PIDs whose VmRSS (summed) gives the per-connection memory.")
    var pids: String?

    @Option(help: "Subscriber threads, each with its own ring and share of the subscribers (the publisher has one more).")
    var threads: Int = 1

    @Option(help: "Control API connections used to publish.")
    var publishers: Int = 4

    @Option(help: "Items per publish request.")
    var batch: Int = 1

    @Flag(help: "Print one JSON object with every figure on stdout.")
    var json = false

    func validate() throws {
        guard DeliveryKind(rawValue: kind) != nil else { throw ValidationError("--kind must be stream, response or ws") }
        guard TargetURL(target) != nil else { throw ValidationError("--target must be an http:// URL") }
        guard let publishAPI = PublishAPI(rawValue: api) else { throw ValidationError("--api must be grip or nchan") }
        guard batch <= publishAPI.maximumBatch else { throw ValidationError("--api nchan publishes one item per request: --batch 1") }
        guard TargetURL(publish) != nil else { throw ValidationError("--publish must be an http:// URL") }
        guard subscribers >= 1, channels >= 1, messages >= 1 else { throw ValidationError("--subscribers, --channels and --messages must be at least 1") }
        guard rate.map({ $0 > 0 }) ?? true, connectRate.map({ $0 > 0 }) ?? true else { throw ValidationError("rates must be positive") }
        guard (1...255).contains(sources) else { throw ValidationError("--sources must be 1-255") }
        guard (1...64).contains(threads), threads <= subscribers else { throw ValidationError("--threads must be 1-64 and at most --subscribers") }
        guard publishers >= 1, batch >= 1, connectConcurrency >= 1 else { throw ValidationError("--publishers, --batch and --connect-concurrency must be at least 1") }
        guard size >= 1, size <= 900_000 / batch else { throw ValidationError("--size × --batch must stay under the control API's body limit") }
        guard timeoutSeconds > 0, settleSeconds >= 0, idleSeconds > 0 else { throw ValidationError("durations must be positive") }
        guard parsedPIDs != nil else { throw ValidationError("--pids must be comma-separated process ids") }
    }

    private var parsedPIDs: [Int32]? {
        guard let pids else { return [] }
        let values = pids.split(separator: ",").map { Int32($0.trimmingCharacters(in: .whitespaces)) }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }

    func run() throws {
        let limit = FileLimit.raiseToHardMaximum()
        if subscribers + 64 > limit {
            FileHandle.standardError.write(Data("loaddriver: warning: \(subscribers) subscribers but the open-file limit is \(limit)\n".utf8))
        }
        let plan = try makePlan()
        let coordinator = FanoutCoordinator(
            plan: plan, pids: parsedPIDs ?? [], timeoutSeconds: timeoutSeconds, settleSeconds: settleSeconds, idleSeconds: idleSeconds)
        guard var report = coordinator.run() else { throw ExitCode.failure }
        report.target = target
        FileHandle.standardError.write(Data((report.text + "\n").utf8))
        if json { FileHandle.standardOutput.write(Data((report.json + "\n").utf8)) }
        // Thousands of sockets are still open and the workers still parked: end the process here.
        Glibc.exit(0)
    }

    private func makePlan() throws -> FanoutPlan {
        guard let kind = DeliveryKind(rawValue: kind), let api = PublishAPI(rawValue: api), let targetURL = TargetURL(target), let publishURL = TargetURL(publish) else {
            throw ValidationError("bad arguments")
        }
        guard let targetAddress = SocketAddress.resolve(host: targetURL.host, port: targetURL.port).first else {
            throw ValidationError("cannot resolve \(targetURL.host)")
        }
        guard let controlAddress = SocketAddress.resolve(host: publishURL.host, port: publishURL.port).first else {
            throw ValidationError("cannot resolve \(publishURL.host)")
        }
        let prefix = "bench-"
        let requests = (0..<channels).map {
            SubscribeRequest.bytes(kind: kind, target: targetURL, channel: DeliveryKind.channelName(prefix: prefix, index: $0))
        }
        return FanoutPlan(
            kind: kind, target: targetAddress, controlTarget: controlAddress, subscribers: subscribers, channels: channels,
            messages: messages, rate: rate, connectRate: connectRate, connectConcurrency: connectConcurrency, sources: sources,
            threads: threads, publishers: publishers, batch: batch, subscribeRequests: requests,
            publishBuilder: PublishRequestBuilder(api: api, kind: kind, target: publishURL, channelPrefix: prefix, size: size))
    }
}
