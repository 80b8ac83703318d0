/// The order items are published in: sequence-major, so every channel gets message `s`
/// before any channel gets `s + 1`, and a batch of `C` items covers each channel once.
public struct PublishSchedule: Sendable {
    public let channels: Int
    public let messages: Int

    public init(channels: Int, messages: Int) {
        self.channels = channels
        self.messages = messages
    }

    public var count: Int { channels * messages }

    public func item(at index: Int) -> PublishItem {
        PublishItem(channel: index % channels, sequence: index / channels)
    }
}
