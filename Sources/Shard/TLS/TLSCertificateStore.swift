import Glibc

/// The https listeners' certificates: files `<name>.crt` + `<name>.key` in one directory
/// (Pushpin's `<configdir>/runner/certs`), chosen by SNI as Pushpin chooses them: the exact
/// host name, then the `_.<parent>` wildcard (one level), then `default_<port>`.
///
/// Files are looked at again at most once per `rescanNanos`, and only when a handshake asks
/// (an idle shard does nothing): a changed file is loaded into a new context, so connections
/// made with the old one keep it until they close. A pair that fails to load keeps the
/// context it had, and says why once per change.
///
/// One per shard (contexts are not shared across threads by design, only the ticket keys).
final class TLSCertificateStore {
    /// A loaded pair and what its files looked like when it was loaded.
    private struct Entry {
        var context: TLSContext?
        var signature: FileSignature
    }

    /// Enough of `stat` to notice a replaced or rewritten file.
    struct FileSignature: Equatable {
        var certificate: [Int]
        var key: [Int]
    }

    let directory: String
    let ticketKeys: TicketKeys
    let rescanNanos: Int64
    private var entries: [String: Entry] = [:]
    private var lastScanNanos: Int64 = .min
    /// Load failures, for the log (and the shard's counter): name and reason.
    private(set) var failures: [(name: String, reason: String)] = []

    init(directory: String, ticketKeys: TicketKeys, rescanNanos: Int64 = 1_000_000_000) {
        self.directory = directory
        self.ticketKeys = ticketKeys
        self.rescanNanos = rescanNanos
    }

    /// The context for a client that sent `serverName` (nil: no SNI) to listener `port`.
    func context(serverName: String?, port: Int) -> TLSContext? {
        if let serverName, !serverName.isEmpty {
            let host = serverName.lowercased()
            if let context = entries[host]?.context { return context }
            if let dot = host.firstIndex(of: "."), let context = entries["_" + host[dot...]]?.context { return context }
        }
        return entries["default_\(port)"]?.context
    }

    /// Names with a loaded certificate.
    var names: [String] { entries.filter { $0.value.context != nil }.keys.sorted() }

    /// Looks at the directory if the last look is older than `rescanNanos`. Returns the load
    /// failures of this look (empty when none, or when it was not due).
    @discardableResult
    func refreshIfDue(nowNanos: Int64) -> [(name: String, reason: String)] {
        guard lastScanNanos == .min || nowNanos - lastScanNanos >= rescanNanos else { return [] }
        lastScanNanos = nowNanos
        return rescan()
    }

    /// Loads new and changed pairs, forgets removed ones.
    func rescan() -> [(name: String, reason: String)] {
        var failures: [(name: String, reason: String)] = []
        var seen = Set<String>()
        for name in pairNames() {
            seen.insert(name)
            let certificate = "\(directory)/\(name).crt"
            let key = "\(directory)/\(name).key"
            guard let signature = Self.signature(certificate: certificate, key: key) else { continue }
            if let entry = entries[name], entry.signature == signature { continue }
            do {
                let context = try TLSContext.server(certificateFile: certificate, keyFile: key, ticketKeys: ticketKeys)
                entries[name] = Entry(context: context, signature: signature)
            } catch {
                failures.append((name, error.reason))
                // Keep serving what loaded before; do not retry the same files every look.
                entries[name] = Entry(context: entries[name]?.context, signature: signature)
            }
        }
        for name in entries.keys where !seen.contains(name) { entries[name] = nil }
        return failures
    }

    /// `<name>` for every `<name>.crt` in the directory that has a `<name>.key` beside it.
    private func pairNames() -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var files = Set<String>()
        // Bounded by the directory's size.
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            files.insert(name)
        }
        return files.compactMap { file in
            guard file.hasSuffix(".crt") else { return nil }
            let name = String(file.dropLast(4))
            return !name.isEmpty && files.contains(name + ".key") ? name : nil
        }
    }

    private static func signature(certificate: String, key: String) -> FileSignature? {
        guard let certificate = fileSignature(certificate), let key = fileSignature(key) else { return nil }
        return FileSignature(certificate: certificate, key: key)
    }

    private static func fileSignature(_ path: String) -> [Int]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [Int(info.st_ino), Int(info.st_size), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec)]
    }
}
