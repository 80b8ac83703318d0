/// One message to publish: a channel index and that channel's sequence number.
public struct PublishItem: Sendable, Equatable {
    public var channel: Int
    public var sequence: Int

    public init(channel: Int, sequence: Int) {
        self.channel = channel
        self.sequence = sequence
    }
}

/// Builds publish requests: for `.grip`, `POST <path>` carrying Pushpin's JSON envelope with
/// one format, the kind the subscribers hold; for `.nchan`, `POST <path>?channel=NAME` whose
/// body is the message itself. The payloads are stamped when the request is built, right
/// before it is sent, so latency includes the publish API's own handling.
public struct PublishRequestBuilder: Sendable {
    public var api: PublishAPI
    public var kind: DeliveryKind
    public var target: TargetURL
    public var channelPrefix: String
    /// Payload size in bytes as delivered (the stream's newline included).
    public var size: Int

    public init(api: PublishAPI = .grip, kind: DeliveryKind, target: TargetURL, channelPrefix: String, size: Int) {
        self.api = api
        self.kind = kind
        self.target = target
        self.channelPrefix = channelPrefix
        self.size = size
    }

    /// The whole request (head and body) for `items`, stamped with `nowNanos`. Nchan takes
    /// one item per request (`PublishAPI.maximumBatch`).
    public func request(items: some Collection<PublishItem>, nowNanos: UInt64) -> [UInt8] {
        precondition(items.count <= api.maximumBatch, "\(api) publishes one item per request")
        var body: [UInt8] = []
        body.reserveCapacity(64 + items.count * (size + 96))
        let requestTarget: String
        let contentType: String
        switch api {
        case .grip:
            appendBody(items: items, nowNanos: nowNanos, to: &body)
            requestTarget = target.requestTarget(addingQuery: "")
            contentType = "application/json"
        case .nchan:
            let item = items.first!
            // Nchan's raw stream ends each message with its separator, a newline, itself.
            let stamp = Payload.Stamp(channel: item.channel, sequence: item.sequence, publishedNanos: nowNanos)
            Payload.append(stamp, size: size, reserved: kind == .stream ? 1 : 0, to: &body)
            let channel = DeliveryKind.channelName(prefix: channelPrefix, index: item.channel)
            requestTarget = target.requestTarget(addingQuery: "channel=\(SubscribeRequest.percentEncoded(channel))")
            contentType = "text/plain"
        }
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 160)
        let head = "POST \(requestTarget) HTTP/1.1\r\nHost: \(target.hostHeader)\r\n"
            + "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\r\n"
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
