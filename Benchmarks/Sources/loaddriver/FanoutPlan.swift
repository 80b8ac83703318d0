import IOUring
import LoadDriverCore

/// Everything a worker needs to know, fixed before any thread starts.
struct FanoutPlan: Sendable {
    var kind: DeliveryKind
    var target: SocketAddress
    var controlTarget: SocketAddress
    var subscribers: Int
    var channels: Int
    var messages: Int
    /// Publish items per second over all channels; nil publishes flat out.
    var rate: Double?
    /// New subscriber connections per second over all workers; nil connects flat out.
    var connectRate: Double?
    /// Connections that may be between "connect submitted" and "subscribed" at once.
    var connectConcurrency: Int
    var sources: Int
    var threads: Int
    var publishers: Int
    var batch: Int
    /// One subscribe request per channel (index = channel).
    var subscribeRequests: [[UInt8]]
    var publishBuilder: PublishRequestBuilder

    var expectedPerSubscriber: Int { kind.expectedPerSubscriber(messages: messages) }

    /// Subscriber `index` listens on channel `index % channels`.
    func channel(ofSubscriber index: Int) -> Int { index % channels }

    /// The global subscriber indices worker `worker` owns: every `threads`-th one.
    func subscriberIndices(worker: Int) -> StrideTo<Int> { stride(from: worker, to: subscribers, by: threads) }
}
