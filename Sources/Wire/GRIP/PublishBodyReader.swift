/// The usual `POST /publish/` body read straight from its bytes, without a JSON document.
///
/// It takes `{"items": [...]}` whose items hold only `channel`, `id`, `prev-id`, `no-seq`
/// and `formats` with `http-stream` and `ws-message` formats that carry an `action`,
/// `content` and (ws-message) `type`, each key once. Anything else — another key, a
/// duplicate, an `http-response`, a value it would have to reject, invalid JSON — makes it
/// decline (nil), and `PublishRequestParser` reads the body as a document instead, which
/// gives every rejection its answer. So what it accepts is exactly what the document path
/// accepts for the same bytes, with the same items (the `PublishBodyReader` fuzz target
/// compares the two).
enum PublishBodyReader {
    static func read(_ body: UnsafeRawBufferPointer) -> [PublishItem]? {
        var reader = JSONParser.pulling(body)
        guard reader.take(UInt8(ascii: "{")), reader.memberKey(envelopeKeys) != nil,
            reader.take(UInt8(ascii: "["))
        else { return nil }
        var items: [PublishItem] = []
        // No item it takes is shorter than 54 bytes, so the array never grows (and moves).
        items.reserveCapacity(body.count / 54)
        if !reader.take(UInt8(ascii: "]")) {
            repeat {
                guard let item = item(&reader) else { return nil }
                items.append(item)
            } while reader.take(UInt8(ascii: ","))
            guard reader.take(UInt8(ascii: "]")) else { return nil }
        }
        guard reader.take(UInt8(ascii: "}")), reader.atEnd() else { return nil }
        return items
    }

    private static let envelopeKeys: [StaticString] = ["items"]
    private static let itemKeys: [StaticString] = ["channel", "id", "prev-id", "formats", "no-seq"]
    private static let formatKeys: [StaticString] = ["http-stream", "ws-message"]
    private static let contentKeys: [StaticString] = ["action", "content", "type"]
    private static let actions: [StaticString] = ["send", "hint", "close", "refresh"]
    private static let wsTypes: [StaticString] = ["text", "binary", "ping", "pong"]
    private static let wsTypeValues: [PublishWSMessageType] = [.text, .binary, .ping, .pong]

    private static func item(_ reader: inout JSONParser) -> PublishItem? {
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        // Fields in locals and the item built once: a `PublishItem` is large to copy.
        var channel: String?
        var id: String?
        var prevID: String?
        var noSeq = false
        var stream: PublishHTTPStream?
        var message: PublishWSMessage?
        var seen = 0 as UInt8
        repeat {
            guard let key = reader.memberKey(itemKeys), seen & 1 << key == 0 else { return nil }
            seen |= 1 << key
            switch key {
            case 0: guard let value = reader.string() else { return nil }; channel = value
            case 1: guard let value = reader.string() else { return nil }; id = value
            case 2: guard let value = reader.string() else { return nil }; prevID = value
            case 3: guard formats(&reader, stream: &stream, message: &message) else { return nil }
            default: guard let value = reader.bool() else { return nil }; noSeq = value
            }
        } while reader.take(UInt8(ascii: ","))
        guard reader.take(UInt8(ascii: "}")), let channel, stream != nil || message != nil else { return nil }
        return PublishItem(channel: channel, id: id, prevID: prevID, httpStream: stream, wsMessage: message, noSeq: noSeq)
    }

    /// `formats` with at least one format.
    private static func formats(
        _ reader: inout JSONParser, stream: inout PublishHTTPStream?, message: inout PublishWSMessage?
    ) -> Bool {
        guard reader.take(UInt8(ascii: "{")) else { return false }
        repeat {
            switch reader.memberKey(formatKeys) {
            case 0 where stream == nil:
                guard let value = httpStream(&reader) else { return false }
                stream = value
            case 1 where message == nil:
                guard let value = wsMessage(&reader) else { return false }
                message = value
            default: return false
            }
        } while reader.take(UInt8(ascii: ","))
        return reader.take(UInt8(ascii: "}"))
    }

    /// A format's `action` (position in `actions`, 0 `send` when absent), `content` and `type`.
    private static func fields(_ reader: inout JSONParser) -> (action: Int, content: [UInt8]?, type: Int?)? {
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        var action: Int?
        var content: [UInt8]?
        var type: Int?
        if !reader.take(UInt8(ascii: "}")) {
            repeat {
                switch reader.memberKey(contentKeys) {
                case 0 where action == nil: guard let value = reader.choice(actions) else { return nil }; action = value
                case 1 where content == nil: guard let value = reader.stringBytes() else { return nil }; content = value
                case 2 where type == nil: guard let value = reader.choice(wsTypes) else { return nil }; type = value
                default: return nil
                }
            } while reader.take(UInt8(ascii: ","))
            guard reader.take(UInt8(ascii: "}")) else { return nil }
        }
        return (action ?? 0, content, type)
    }

    private static func httpStream(_ reader: inout JSONParser) -> PublishHTTPStream? {
        guard let fields = fields(&reader), fields.type == nil else { return nil }
        switch fields.action {
        case 0:
            guard let content = fields.content else { return nil }
            return PublishHTTPStream(action: .send, content: content)
        case 1: return PublishHTTPStream(action: .hint)
        case 2: return PublishHTTPStream(action: .close)
        default: return nil  // `refresh` is rejected for http-stream
        }
    }

    private static func wsMessage(_ reader: inout JSONParser) -> PublishWSMessage? {
        guard let fields = fields(&reader) else { return nil }
        switch fields.action {
        case 0:
            guard let content = fields.content else { return nil }  // ping/pong without content: document path
            return PublishWSMessage(action: .send, type: fields.type.map { wsTypeValues[$0] } ?? .text, content: content)
        case 1: return PublishWSMessage(action: .hint)
        case 2: return PublishWSMessage(action: .close)
        default: return PublishWSMessage(action: .refresh)
        }
    }
}
