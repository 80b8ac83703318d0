/// The host a serialized request head names in its `Host` field: the name a TLS backend
/// connection gives as SNI and verifies the certificate against (as Pushpin does with the
/// request URI's host). Read from the bytes already built for the backend, so every kind of
/// backend request (proxied, WebSocket, events, next-link) needs nothing else. Pure.
public enum RequestHeadHost {
    /// `Host: API.example.com:8443` → `api.example.com`, `Host: [::1]:80` → `::1`; nil when the
    /// head has no Host field or an empty one.
    public static func host(in head: [UInt8]) -> String? {
        head.withUnsafeBufferPointer { bytes in
            var lineStart = 0
            // Field lines start after each CRLF; the first line is the request line.
            while let lineEnd = lineEnd(in: bytes, from: lineStart) {
                if lineStart > 0, lineEnd > lineStart, let value = hostValue(bytes, lineStart..<lineEnd) {
                    let range = RouteHostName.hostRange(in: UnsafeBufferPointer(rebasing: value))
                    guard !range.isEmpty else { return nil }
                    let host = UnsafeBufferPointer(rebasing: value[(value.startIndex + range.lowerBound)..<(value.startIndex + range.upperBound)])
                    return String(decoding: host.map(RouteHostName.asciiLower), as: UTF8.self)
                }
                if lineEnd == lineStart && lineStart > 0 { return nil }  // the blank line: end of head
                lineStart = lineEnd + 2
            }
            return nil
        }
    }

    /// Index of the CR of the CRLF ending the line that starts at `start`.
    private static func lineEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 0x0D && bytes[index + 1] == 0x0A { return index }
            index += 1
        }
        return nil
    }

    private static let fieldName: [UInt8] = Array("host:".utf8)

    /// The value of a `Host:` field line, spaces trimmed; nil for any other field.
    private static func hostValue(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> Slice<UnsafeBufferPointer<UInt8>>? {
        let name = fieldName
        guard line.count >= name.count else { return nil }
        for (offset, byte) in name.enumerated() where RouteHostName.asciiLower(bytes[line.lowerBound + offset]) != byte {
            return nil
        }
        var start = line.lowerBound + name.count
        var end = line.upperBound
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return bytes[start..<end]
    }
}
