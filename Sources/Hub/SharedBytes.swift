import Glibc

/// Immutable bytes that many connections send at once: a published message is encoded
/// into these once, and every subscriber's send queue points at the same memory.
///
/// The memory is never written after `init`, so any thread may read it; it is freed when
/// the last queue (and the message) lets go. (`@unchecked`: a raw pointer to memory that is
/// never written after `init`.)
public final class SharedBytes: @unchecked Sendable {
    public let base: UnsafeRawPointer
    public let count: Int

    public init(_ bytes: [UInt8]) {
        let memory = malloc(max(bytes.count, 1))!
        bytes.withUnsafeBytes { source in
            if let from = source.baseAddress { memory.copyMemory(from: from, byteCount: source.count) }
        }
        base = UnsafeRawPointer(memory)
        count = bytes.count
    }

    deinit { free(UnsafeMutableRawPointer(mutating: base)) }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
