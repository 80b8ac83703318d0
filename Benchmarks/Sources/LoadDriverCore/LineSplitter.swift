import Glibc

/// Splits a byte stream into newline-terminated lines whatever the read or chunk boundaries.
/// A line that arrives whole in one slice is handed over without copying; only a line split
/// across slices is gathered in `carry`.
public struct LineSplitter: Sendable {
    /// Longer partial lines are dropped (counted), so a peer without newlines cannot grow memory.
    public static let maxLineBytes = 1 << 20

    private var carry: [UInt8] = []
    private var discarding = false
    public private(set) var overlongLines = 0

    public init() {}

    /// Calls `line` for each complete line (without its `\n`, and without a `\r` before it).
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, line: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        let count = bytes.count
        while start < count {
            guard let newline = Self.index(of: UInt8(ascii: "\n"), in: bytes, from: start) else {
                keep(UnsafeRawBufferPointer(rebasing: bytes[start..<count]))
                return
            }
            let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<newline])
            if discarding {
                discarding = false
            } else if carry.isEmpty {
                line(Self.trimmingCR(piece))
            } else {
                carry.append(contentsOf: piece)
                carry.withUnsafeBytes { line(Self.trimmingCR($0)) }
                carry.removeAll(keepingCapacity: true)
            }
            start = newline + 1
        }
    }

    /// Bytes after the last newline: the start of a line that is not complete yet.
    public var pendingCount: Int { carry.count }

    private mutating func keep(_ piece: UnsafeRawBufferPointer) {
        guard !discarding else { return }
        if carry.count + piece.count > Self.maxLineBytes {
            carry = []
            discarding = true
            overlongLines += 1
            return
        }
        carry.append(contentsOf: piece)
    }

    /// `line` without one trailing `\n` or `\r\n`.
    public static func trimmingNewline(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let last = line.last, last == UInt8(ascii: "\n") else { return line }
        return trimmingCR(UnsafeRawBufferPointer(rebasing: line.dropLast()))
    }

    static func trimmingCR(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let last = line.last, last == UInt8(ascii: "\r") else { return line }
        return UnsafeRawBufferPointer(rebasing: line.dropLast())
    }

    static func index(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count,
              let found = memchr(base + start, Int32(byte), bytes.count - start)
        else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }
}
