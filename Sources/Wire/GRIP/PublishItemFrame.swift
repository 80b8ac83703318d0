/// One publish item as a ZeroMQ frame carries it (publish.md §5): `J` then a JSON
/// object, `T` then a tnetstring, or a bare tnetstring (the legacy form).
public enum PublishItemFrame {
    /// `channel`: the SUB input's topic frame, which wins over the item's own.
    public static func parse(_ frame: [UInt8], channel: String? = nil) -> Result<PublishItem, PublishError> {
        guard let first = frame.first else { return .failure(.invalidFormat("empty message")) }
        let value: JSONValue
        switch first {
        case UInt8(ascii: "J"):
            do throws(JSONError) {
                value = try JSONValue.parse(Array(frame.dropFirst()))
            } catch {
                return .failure(.invalidFormat("item is not valid JSON (\(error.message))"))
            }
        default:
            do throws(TnetstringError) {
                value = try TnetstringDecoder.decode(first == UInt8(ascii: "T") ? Array(frame.dropFirst()) : frame).jsonValue
            } catch {
                return .failure(.invalidFormat("item is not a tnetstring (\(error.description))"))
            }
        }
        return PublishRequestParser.parseItem(value, channel: channel)
    }
}
