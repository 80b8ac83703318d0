import COpenSSL

/// Why a TLS session or context failed, as OpenSSL said it: the first error on the thread's
/// queue (which is then cleared), so one failure never leaks into the next connection's.
public struct TLSError: Error, Equatable, CustomStringConvertible {
    public enum Stage: Sendable, Equatable {
        /// Loading a certificate or key, or building a context.
        case configuration
        /// Before the handshake finished: a bad or foreign peer, no shared cipher, garbage.
        case handshake
        /// On an established session: a bad record, an unexpected alert.
        case session
    }

    public let stage: Stage
    public let reason: String

    public init(stage: Stage, reason: String) {
        self.stage = stage
        self.reason = reason
    }

    /// Takes OpenSSL's queued errors; `fallback` says what failed when the queue is empty.
    static func drainingQueue(_ stage: Stage, fallback: String) -> TLSError {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return TLSError(stage: stage, reason: fallback) }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        let reason = text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return TLSError(stage: stage, reason: reason)
    }

    public var description: String { "TLS \(stage): \(reason)" }
}
