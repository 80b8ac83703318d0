import Foundation
import Synchronization
import Testing

/// Prints pushpind's log when, and only when, a test that started it records an issue.
///
/// `EndToEnd`'s `.compactMapIssues` trait calls `issueRecorded()` for every issue; a
/// process still running is marked and printed when it stops, a stopped one is printed
/// at once. Logs are copied into memory at stop, because the sandbox holding the file is
/// deleted when the test's fixture ends and an issue can come after that.
final class PushpindLogs: Sendable {
    static let shared = PushpindLogs()

    private struct Entry {
        let id: Int
        let testID: String
        let label: String
        let logPath: String
        var captured: String?
        var failed = false
        var printed = false
    }

    private let entries = Mutex<[Entry]>([])
    private let nextID = Atomic<Int>(0)

    private static var currentTestID: String {
        Test.current.map { String(describing: $0.id) } ?? "(no test)"
    }

    /// Tracks a newly started process for the current test.
    func register(label: String, logPath: String) -> Int {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let testID = Self.currentTestID
        entries.withLock { entries in
            entries.removeAll { $0.testID != testID }  // tests run serialized: older ones are done
            entries.append(Entry(id: id, testID: testID, label: label, logPath: logPath))
        }
        return id
    }

    /// The process `id` stopped: keep its log, and print it if its test already failed.
    func stopped(_ id: Int, exit: ExitStatus?) {
        let toPrint = entries.withLock { entries -> Entry? in
            guard let index = entries.firstIndex(where: { $0.id == id }), entries[index].captured == nil else { return nil }
            entries[index].captured = Self.tail(of: entries[index].logPath, maxBytes: 256 * 1024)
                + "\n(\(exit.map(\.description) ?? "exit status unknown"))"
            return Self.takeIfDue(&entries[index])
        }
        toPrint.map(Self.print)
    }

    /// An issue was recorded in the current test.
    func issueRecorded() {
        let testID = Self.currentTestID
        let toPrint = entries.withLock { entries -> [Entry] in
            var due: [Entry] = []
            for index in entries.indices where entries[index].testID == testID {
                entries[index].failed = true
                if let entry = Self.takeIfDue(&entries[index]) { due.append(entry) }
            }
            return due
        }
        toPrint.forEach(Self.print)
    }

    private static func takeIfDue(_ entry: inout Entry) -> Entry? {
        guard entry.failed, !entry.printed, entry.captured != nil else { return nil }
        entry.printed = true
        return entry
    }

    private static func print(_ entry: Entry) {
        let text = """
            ===== \(entry.label) — log (\(entry.logPath)) =====
            \(entry.captured ?? "")
            ===== end of pushpind log =====
            """
        Swift.print(text)
    }

    /// The last `maxBytes` of the file at `path` (lossily decoded).
    static func tail(of path: String, maxBytes: Int) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "(no log at \(path))" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > UInt64(maxBytes) ? size - UInt64(maxBytes) : 0
        try? handle.seek(toOffset: start)
        let data = (try? handle.readToEnd()) ?? Data()
        let prefix = start > 0 ? "… (\(start) earlier bytes omitted)\n" : ""
        return prefix + String(decoding: data, as: UTF8.self)
    }
}
