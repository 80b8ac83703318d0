import Hub
import Wire

/// Turns a validated publish item into the immutable message shards deliver: every format
/// encoded to wire bytes exactly once, here, on the control thread.
enum PublishEncoder {
    static func message(for item: PublishItem, acceptedAtNanos: Int64) -> PublishMessage {
        PublishMessage(
            channel: item.channel, id: item.id, prevID: item.prevID, acceptedAtNanos: acceptedAtNanos,
            stream: item.httpStream.flatMap(stream), response: item.httpResponse.flatMap(response),
            webSocket: item.wsMessage.flatMap(webSocket), filtering: filtering(for: item),
            hintsResponses: item.httpResponse?.action == .hint)
    }

    /// What subscribers with filters read: the item's meta and each format's content filters,
    /// and a `ws-message` unframed.
    private static func filtering(for item: PublishItem) -> PublishMessage.Filtering {
        var webSocketMessage: (opcode: WebSocketOpcode, payload: [UInt8])? = nil
        if let format = item.wsMessage, format.action == .send {
            webSocketMessage = (opcode(format.type), format.content)
        }
        return PublishMessage.Filtering(
            meta: item.meta, streamContentFilters: item.httpStream?.contentFilters,
            responseContentFilters: item.httpResponse?.contentFilters,
            webSocketContentFilters: item.wsMessage?.contentFilters, webSocketMessage: webSocketMessage)
    }

    private static func opcode(_ type: PublishWSMessageType) -> WebSocketOpcode {
        switch type {
        case .text: .text
        case .binary: .binary
        case .ping: .ping
        case .pong: .pong
        }
    }

    private static func webSocket(_ format: PublishWSMessage) -> PublishMessage.WebSocketDelivery? {
        switch format.action {
        case .send:
            return .send(frame: SharedBytes(WebSocketEncoder.publishedMessage(opcode: opcode(format.type), format.content)))
        case .close:
            let payload = WebSocketEncoder.closePayload(code: format.code.map { UInt16(clamping: $0) }, reason: Array((format.reason ?? "").utf8))
            return .close(frame: SharedBytes(WebSocketEncoder.frame(opcode: .close, payload: payload)))
        case .refresh, .hint:
            return nil
        }
    }

    private static func stream(_ format: PublishHTTPStream) -> PublishMessage.StreamDelivery? {
        switch format.action {
        case .send:
            var chunk: [UInt8] = []
            chunk.reserveCapacity(format.content.count + 16)
            format.content.withUnsafeBytes { HTTPWriter.appendChunk($0, to: &chunk) }
            return .send(chunked: SharedBytes(chunk), raw: SharedBytes(format.content))
        case .close:
            return .close
        case .hint:
            return .hint
        }
    }

    private static func response(_ format: PublishHTTPResponse) -> PublishMessage.ResponseDelivery? {
        guard format.action == .send else { return nil }
        let headers = format.headers
            .filter { !$0.name.lowercased().hasPrefix("grip-") && !HTTPHeaders.namesEqual($0.name, "Content-Length") }
            .map { (name: $0.name, value: $0.value) }
        var fields = HTTPHeaders()
        for header in headers { fields.add(header.name, header.value) }
        fields.add("Content-Length", String(format.body.count))
        var encoded: [UInt8] = []
        encoded.reserveCapacity(256 + format.body.count)
        HTTPWriter.appendResponseHead(
            HTTPResponseHead(version: .http11, status: format.code, reason: format.reason, headers: fields), to: &encoded)
        encoded += format.body
        return PublishMessage.ResponseDelivery(
            status: format.code, reason: format.reason, headers: headers, body: SharedBytes(format.body),
            encoded: SharedBytes(encoded), bodyPatch: format.bodyPatch)
    }
}
