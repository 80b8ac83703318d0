/// Outcome of one call to a head parser on an accumulating buffer.
public enum HeadParseResult<Head: Sendable>: Sendable {
    /// No complete head yet and no error so far: read more bytes and call again.
    case incomplete
    /// A full head; `consumed` counts its bytes including the final CRLFCRLF
    /// (and any empty lines skipped before a request line).
    case complete(Head, consumed: Int)
    /// The bytes can never form a valid head; answer with `error.status` and close.
    case failure(HTTPParseError)
}

extension HeadParseResult: Equatable where Head: Equatable {}
