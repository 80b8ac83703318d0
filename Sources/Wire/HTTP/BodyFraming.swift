/// How the body after a head is delimited (RFC 9112 §6.3).
public enum BodyFraming: Sendable, Equatable {
    /// No body: the next byte starts the next message.
    case none
    /// Exactly this many bytes (always > 0 when produced by the head accessors).
    case contentLength(Int)
    /// Transfer-Encoding: chunked.
    case chunked
    /// Response body that ends when the server closes the connection.
    case untilClose
}
