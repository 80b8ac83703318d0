/// Parses and validates `POST /publish/` bodies (publish.md §2–3), answering bad
/// input with Pushpin 1.36's exact status and text.
///
/// All or nothing: any invalid item rejects the whole request. Checks run in
/// Pushpin's order, so a body with several faults gets the message Pushpin gives.
/// pushpind checks more than Pushpin does (what reaches a client must be writable as
/// is: see `HTTPFieldRules`); those messages also name the item's index.
public enum PublishRequestParser {
    /// `{"items": [item, ...]}`. An empty list is valid (Pushpin answers `Published`).
    public static func parse(body: [UInt8]) -> Result<[PublishItem], PublishError> {
        parse(body: body[...])
    }

    /// The same for a body that is part of a larger buffer (the received bytes).
    public static func parse(body: ArraySlice<UInt8>) -> Result<[PublishItem], PublishError> {
        if let items = body.withUnsafeBytes(PublishBodyReader.read) { return .success(items) }
        return parseDocument(body: Array(body))
    }

    /// The same, always through a JSON document: every body `PublishBodyReader` declines.
    static func parseDocument(body: [UInt8]) -> Result<[PublishItem], PublishError> {
        guard let document = PushpinFields.parseDocument(body) else { return .failure(.notJSON) }
        guard case .object(let envelope) = document else { return .failure(.notObject) }
        do throws(PushpinFieldError) {
            let entries = try PushpinFields.list(envelope, "object", "items", required: true) ?? []
            var items: [PublishItem] = []
            items.reserveCapacity(entries.count)
            for (index, entry) in entries.enumerated() {
                do throws(PushpinFieldError) {
                    items.append(try item(entry, channel: nil))
                } catch where error.isPushpindCheck {
                    throw PushpinFieldError("item \(index): \(error.message)")
                }
            }
            return .success(items)
        } catch {
            return .failure(.invalidFormat(error.message))
        }
    }

    /// One item, as the ZeroMQ inputs carry it. A non-nil, non-empty `channel` (the SUB
    /// topic frame) replaces the item's own, which is then not read at all.
    public static func parseItem(_ value: JSONValue, channel: String? = nil) -> Result<PublishItem, PublishError> {
        do throws(PushpinFieldError) {
            return .success(try item(value, channel: channel))
        } catch {
            return .failure(.invalidFormat(error.message))
        }
    }

    static let itemName = "publish item object"

    static func item(_ value: JSONValue, channel override: String?) throws(PushpinFieldError) -> PublishItem {
        guard case .object(let object) = value else { throw PushpinFieldError("\(itemName) is not an object") }
        let channel: String
        if let override, !override.isEmpty {
            channel = override
        } else {
            channel = try PushpinFields.string(object, itemName, "channel", required: true) ?? ""
        }
        var item = PublishItem(channel: channel)
        item.id = try PushpinFields.string(object, itemName, "id")
        item.prevID = try PushpinFields.string(object, itemName, "prev-id")
        let formats = try PushpinFields.object(object, itemName, "formats") ?? legacyFormats(object)
        guard !formats.isEmpty else { throw PushpinFieldError("no formats specified") }
        if let format = formats["http-response"] { item.httpResponse = try PublishFormatParser.httpResponse(format) }
        if let format = formats["http-stream"] { item.httpStream = try PublishFormatParser.httpStream(format) }
        if let format = formats["ws-message"] { item.wsMessage = try PublishFormatParser.wsMessage(format) }
        if let meta = try PushpinFields.object(object, itemName, "meta") {
            let pairs = try PushpinFields.stringPairs(meta) { "'meta' contains '\($0)' with wrong type" }
            for pair in pairs { item.meta[pair.key] = pair.value.stringValue ?? "" }
        }
        if let size = try PushpinFields.int(object, itemName, "size") {
            guard size >= 0 else { throw PushpinFields.invalidValue(itemName, "size") }
            item.size = size
        }
        if let noSeq = object["no-seq"] {
            guard case .bool(let flag) = noSeq else { throw PushpinFields.wrongType(itemName, "no-seq") }
            item.noSeq = flag
        }
        return item
    }

    /// Without `formats`, the format keys may sit on the item itself (the old schema).
    private static func legacyFormats(_ item: JSONObject) -> JSONObject {
        var formats = JSONObject()
        for name in ["http-response", "http-stream", "ws-message"] {
            if let format = item[name] { formats[name] = format }
        }
        return formats
    }
}
