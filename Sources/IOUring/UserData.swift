/// The tag carried by every submission and echoed in its completion:
/// `op (8 bits) | generation (24 bits) | slot (32 bits)`.
///
/// The generation lets a loop recognise a completion that arrives for a slot that was
/// freed and reused since the operation was submitted; such a completion is stale.
public struct UserData: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public static let generationMask: UInt32 = 0x00FF_FFFF

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable
    public init(op: UInt8, generation: UInt32, slot: UInt32) {
        rawValue = UInt64(op) << 56 | UInt64(generation & Self.generationMask) << 32 | UInt64(slot)
    }

    @inlinable public var op: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 56) }
    @inlinable public var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) & Self.generationMask }
    @inlinable public var slot: UInt32 { UInt32(truncatingIfNeeded: rawValue) }

    public var description: String { "op=\(op) gen=\(generation) slot=\(slot)" }
}
