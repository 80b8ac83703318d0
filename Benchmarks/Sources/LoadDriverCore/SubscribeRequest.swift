/// The bytes a subscriber sends to start its subscription, one per channel, built once.
public enum SubscribeRequest {
    /// A fixed key is enough: servers only echo a hash of it and the driver does not check it.
    /// base64 of 16 bytes ("loaddriver-bench"), as RFC 6455 §4.1 requires of a client key.
    public static let webSocketKey = "bG9hZGRyaXZlci1iZW5jaA=="

    public static func bytes(kind: DeliveryKind, target: TargetURL, channel: String) -> [UInt8] {
        let requestTarget = target.requestTarget(addingQuery: "channel=\(percentEncoded(channel))")
        var text = "GET \(requestTarget) HTTP/1.1\r\nHost: \(target.hostHeader)\r\n"
        switch kind {
        case .stream, .response:
            text += "Accept: */*\r\n"
        case .ws:
            text += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(webSocketKey)\r\nSec-WebSocket-Version: 13\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Query-component encoding for channel names (unreserved characters pass).
    public static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%"
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 15)]))
            }
        }
        return out
    }
}
