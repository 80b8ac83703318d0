import COpenSSL

/// The keys that seal session tickets, one set for every shard's server contexts, so a client
/// resumes whichever shard takes its next connection. A new key replaces the current one every
/// `rotationNanos`; tickets sealed with the one before still open (and are then replaced by a
/// ticket under the current key), so a ticket stays usable for one to two intervals and a key
/// is forgotten two intervals after it was made.
public final class TicketKeys: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Every hour, as OpenSSL's own default ticket lifetime is two hours.
    public static let defaultRotationNanos: Int64 = 3_600_000_000_000

    public init(rotationNanos: Int64 = TicketKeys.defaultRotationNanos) throws(TLSError) {
        guard let pointer = copenssl_ticket_keys_new(rotationNanos) else {
            throw TLSError.drainingQueue(.configuration, fallback: "session ticket keys could not be made")
        }
        self.pointer = pointer
    }

    deinit { copenssl_ticket_keys_release(pointer) }

    /// A new current key now, ahead of the interval.
    public func rotate() { copenssl_ticket_keys_rotate(pointer) }
}
