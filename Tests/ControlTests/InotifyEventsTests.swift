import Testing

@testable import Control

@Suite struct InotifyEventsTests {
    /// One `struct inotify_event` record: wd, mask, cookie, len, then the name NUL-padded to `len`.
    func record(_ name: String, padTo length: Int? = nil) -> [UInt8] {
        let nameBytes = Array(name.utf8)
        let padded = length ?? (nameBytes.isEmpty ? 0 : (nameBytes.count / 16 + 1) * 16)
        var bytes: [UInt8] = []
        for field: UInt32 in [1, 0x100, 0, UInt32(padded)] { withUnsafeBytes(of: field.littleEndian) { bytes += $0 } }
        return bytes + nameBytes + Array(repeating: 0, count: padded - nameBytes.count)
    }

    func names(_ bytes: [UInt8]) -> [String] {
        bytes.withUnsafeBytes { InotifyEvents.names(in: $0) }
    }

    @Test func readsEveryRecordsName() {
        #expect(names(record(".routes.tmp") + record("routes") + record("other")) == [".routes.tmp", "routes", "other"])
    }

    @Test func aRecordWithoutANameIsSkipped() {
        #expect(names(record("") + record("routes")) == ["routes"])
    }

    @Test func aTruncatedRecordEndsTheList() {
        let whole = record("routes") + record("next")
        #expect(names(Array(whole.dropLast(3))) == ["routes"])
        #expect(names(Array(whole.prefix(10))) == [])
    }

    @Test func aLengthPastTheBufferIsNotRead() {
        var bytes = record("routes")
        bytes[12] = 0xFF
        bytes[13] = 0xFF
        #expect(names(bytes) == [])
    }
}
