import CLibUring
import Glibc

/// Delivers process signals as readable records on a file descriptor (signalfd), so a ring
/// loop reads them like any other input instead of running code in a signal handler.
public enum SignalSource {
    /// Blocks `signals` for the calling thread and every thread it starts afterwards.
    /// Call on the main thread before starting any other.
    public static func block(_ signals: [Int32]) {
        _ = signals.withUnsafeBufferPointer { clu_block_signals($0.baseAddress, Int32($0.count)) }
    }

    /// A signalfd for `signals` (which must be blocked). Each read yields 128-byte records
    /// whose first 4 bytes are the signal number.
    public static func makeDescriptor(_ signals: [Int32]) -> Int32 {
        signals.withUnsafeBufferPointer { clu_signalfd($0.baseAddress, Int32($0.count)) }
    }

    public static let recordSize = 128
}
