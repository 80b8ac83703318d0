/// One message to publish: a channel index and that channel's sequence number.
public struct PublishItem: Sendable, Equatable {
    public var channel: Int
    public var sequence: Int

    public init(channel: Int, sequence: Int) {
        self.channel = channel
        self.sequence = sequence
    }
}

/// Builds `POST <path>` requests carrying Pushpin's JSON publish envelope with one format,
/// the kind the subscribers hold. The payloads are stamped when the request is built, right
/// before it is sent, so latency includes the control API's own handling.
public struct PublishRequestBuilder: Sendable {
    public var kind: DeliveryKind
    public var target: TargetURL
    public var channelPrefix: String
    /// Payload size in bytes as delivered (the stream's newline included).
    public var size: Int

    public init(kind: DeliveryKind, target: TargetURL, channelPrefix: String, size: Int) {
        self.kind = kind
        self.target = target
        self.channelPrefix = channelPrefix
        self.size = size
    }

    /// The whole request (head and body) for `items`, stamped with `nowNanos`.
    public func request(items: some Collection<PublishItem>, nowNanos: UInt64) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(64 + items.count * (size + 96))
        appendBody(items: items, nowNanos: nowNanos, to: &body)
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 160)
        let head = "POST \(target.requestTarget(addingQuery: "")) HTTP/1.1\r\nHost: \(target.hostHeader)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        out.append(contentsOf: head.utf8)
        out.append(contentsOf: body)
        return out
    }

    /// `{"items":[{"channel":"…","formats":{"<format>":{"<field>":"<payload>"}}},…]}`
    public func appendBody(items: some Collection<PublishItem>, nowNanos: UInt64, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"items":["#.utf8)
        var first = true
        for item in items {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: #"{"channel":""#.utf8)
            out.append(contentsOf: DeliveryKind.channelName(prefix: channelPrefix, index: item.channel).utf8)
            out.append(contentsOf: #"","formats":{""#.utf8)
            out.append(contentsOf: kind.formatName.utf8)
            out.append(contentsOf: #"":{""#.utf8)
            out.append(contentsOf: kind.contentField.utf8)
            out.append(contentsOf: #"":""#.utf8)
            let stamp = Payload.Stamp(channel: item.channel, sequence: item.sequence, publishedNanos: nowNanos)
            let newline = kind == .stream
            Payload.append(stamp, size: size, reserved: newline ? 1 : 0, to: &out)
            if newline { out.append(contentsOf: #"\n"#.utf8) }
            out.append(contentsOf: #""}}}"#.utf8)
        }
        out.append(contentsOf: "]}".utf8)
    }
}
