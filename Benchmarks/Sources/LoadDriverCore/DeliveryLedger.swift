/// Which sequences each subscriber has seen: one bit per (subscriber, sequence), so lost and
/// duplicated deliveries are exact whatever order messages arrive in.
public struct DeliveryLedger: Sendable {
    public enum Outcome: Sendable, Equatable {
        case first
        case duplicate
        /// Another channel's message or a sequence never published: a routing bug.
        case foreign
    }

    public let subscribers: Int
    public let messages: Int
    private let wordsPerSubscriber: Int
    private var seen: [UInt64]
    private var distinct: [Int32]
    public private(set) var firstDeliveries = 0
    public private(set) var duplicates = 0
    public private(set) var foreign = 0

    public init(subscribers: Int, messages: Int) {
        self.subscribers = subscribers
        self.messages = messages
        wordsPerSubscriber = (messages + 63) / 64
        seen = Array(repeating: 0, count: subscribers * wordsPerSubscriber)
        distinct = Array(repeating: 0, count: subscribers)
    }

    public mutating func record(subscriber: Int, expectedChannel: Int, stamp: Payload.Stamp) -> Outcome {
        guard stamp.channel == expectedChannel, stamp.sequence >= 0, stamp.sequence < messages,
              subscriber >= 0, subscriber < subscribers
        else {
            foreign += 1
            return .foreign
        }
        let word = subscriber * wordsPerSubscriber + stamp.sequence / 64
        let bit = UInt64(1) << UInt64(stamp.sequence % 64)
        if seen[word] & bit != 0 {
            duplicates += 1
            return .duplicate
        }
        seen[word] |= bit
        distinct[subscriber] += 1
        firstDeliveries += 1
        return .first
    }

    /// Distinct messages subscriber `index` has received.
    public func received(by index: Int) -> Int { Int(distinct[index]) }

    /// Expected deliveries that never arrived, over the subscribers `counted` says to include
    /// (those that subscribed), each expecting `expectedEach` distinct messages.
    public func lost(expectedEach: Int, counted: (Int) -> Bool) -> Int {
        var missing = 0
        for index in 0..<subscribers where counted(index) {
            missing += max(0, expectedEach - Int(distinct[index]))
        }
        return missing
    }
}
