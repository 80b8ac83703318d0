/// How subscribers are held, which decides the request they send, the publish format and
/// how their bytes are read.
public enum DeliveryKind: String, Sendable, CaseIterable {
    /// HTTP streaming: one long response, messages are newline-terminated lines.
    case stream
    /// Long-poll: the held request is answered by the first message; one round is measured.
    case response
    /// WebSocket: messages are text frames.
    case ws

    /// The key of this kind's format in a publish item.
    public var formatName: String {
        switch self {
        case .stream: return "http-stream"
        case .response: return "http-response"
        case .ws: return "ws-message"
        }
    }

    /// The format's field that holds the message text.
    public var contentField: String {
        self == .response ? "body" : "content"
    }

    /// Messages a subscriber expects when `messages` are published on its channel:
    /// a long-poll round ends with its first message.
    public func expectedPerSubscriber(messages: Int) -> Int {
        self == .response ? min(1, messages) : messages
    }

    /// Channel names: the benchmark's channels are `<prefix><index>`.
    public static func channelName(prefix: String, index: Int) -> String { "\(prefix)\(index)" }
}
