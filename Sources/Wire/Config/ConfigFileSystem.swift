#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// File reading and path arithmetic for configuration loading. POSIX calls rather than Foundation:
/// a failure carries the errno text ("No such file or directory"), and Wire stays Foundation-free.
enum ConfigFileSystem {
    struct ReadFailure: Error, Equatable {
        var reason: String
        /// The file does not exist (ENOENT), as opposed to existing but being unreadable.
        var isMissing: Bool
    }

    /// How loading reads a file: `contents(of:)`, or files held in memory (the config fuzz target).
    typealias Reader = (String) -> Result<[UInt8], ReadFailure>

    /// Whole-file contents. Configuration files are small; a 16 MiB cap guards against pointing at a device.
    static func contents(of path: String) -> Result<[UInt8], ReadFailure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(failure(errno)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let cap = 16 * 1024 * 1024
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(failure(errno))
            }
            if count == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > cap { return .failure(ReadFailure(reason: "file is larger than 16 MiB", isMissing: false)) }
        }
    }

    private static func failure(_ code: Int32) -> ReadFailure {
        ReadFailure(reason: String(cString: strerror(code)), isMissing: code == ENOENT)
    }

    /// `path` made absolute against `base` (or the working directory) with `.` and `..` folded away.
    static func absolute(_ path: String, relativeTo base: String? = nil) -> String {
        if path.hasPrefix("/") { return normalize(path) }
        let root = base ?? workingDirectory()
        return normalize(root + "/" + path)
    }

    private static func workingDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Directory part of an absolute path (`/etc/pushpin/pushpin.conf` → `/etc/pushpin`).
    static func directory(of absolutePath: String) -> String {
        guard let slash = absolutePath.lastIndex(of: "/") else { return "." }
        return slash == absolutePath.startIndex ? "/" : String(absolutePath[..<slash])
    }

    private static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
