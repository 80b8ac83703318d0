import Glibc

/// Resident memory of the processes under test, read from /proc/PID/status.
enum ProcessMemory {
    /// VmRSS in bytes, or nil when the process is gone or the file has no such line.
    static func residentBytes(pid: Int32) -> Int? {
        guard let file = fopen("/proc/\(pid)/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("VmRSS:") else { continue }
            // "VmRSS:\t   12345 kB"
            let fields = text.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            guard let value = fields.first.flatMap({ Int($0) }) else { return nil }
            return value * 1024
        }
        return nil
    }

    /// The sum over `pids` (e.g. Pushpin's several processes); nil if any one is unreadable.
    static func residentBytes(pids: [Int32]) -> Int? {
        guard !pids.isEmpty else { return nil }
        var total = 0
        for pid in pids {
            guard let bytes = residentBytes(pid: pid) else { return nil }
            total += bytes
        }
        return total
    }
}
