import Glibc

/// Watches the routes file's directory with inotify, so a change reloads the routes without
/// SIGHUP, as Pushpin does. The directory, not the file: editors and config tools often
/// write a new file and rename it over the old one, which a watch on the file would lose.
/// The control loop reads the descriptor through its ring; this type only opens it and
/// decides which events name the file.
final class RoutesFileWatch {
    /// Pushpin waits this long after a change before reloading, so a burst of writes loads once.
    static let debounceNanos: Int64 = 1_000_000_000
    static let bufferSize = 4096

    let fd: Int32
    /// The routes file's name inside the watched directory.
    let fileName: String
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 8)

    /// nil when inotify is unavailable or the directory cannot be watched (the caller logs
    /// it; SIGHUP still reloads).
    init?(path: String) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        fileName = slash.map { String(path[path.index(after: $0)...]) } ?? path
        fd = inotify_init1(Int32(IN_CLOEXEC))  // blocking: the ring waits for it
        guard fd >= 0 else {
            buffer.deallocate()
            return nil
        }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM)
        guard inotify_add_watch(fd, directory.isEmpty ? "/" : directory, mask) >= 0 else {
            close(fd)
            buffer.deallocate()
            return nil
        }
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Whether the `count` bytes of events read into `buffer` touch the routes file.
    func touchesFile(count: Int) -> Bool {
        InotifyEvents.names(in: UnsafeRawBufferPointer(start: buffer, count: count)).contains(fileName)
    }
}

/// Reads `struct inotify_event` records: `wd` (4 bytes), `mask`, `cookie`, `len`, then `len`
/// bytes of NUL-padded name. Pure, so it is tested on bytes.
enum InotifyEvents {
    static let headerSize = 16

    /// The names of the records in `bytes`, in order; a truncated record ends the list.
    static func names(in bytes: UnsafeRawBufferPointer) -> [String] {
        var names: [String] = []
        var offset = 0
        while offset + headerSize <= bytes.count {
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + headerSize
            guard length <= bytes.count - nameStart else { break }
            let raw = bytes[nameStart..<(nameStart + length)]
            let end = raw.firstIndex(of: 0) ?? raw.endIndex
            if end > nameStart { names.append(String(decoding: bytes[nameStart..<end], as: UTF8.self)) }
            offset = nameStart + length
        }
        return names
    }
}
