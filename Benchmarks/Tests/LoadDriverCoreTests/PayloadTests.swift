import LoadDriverCore
import Testing

@Suite struct PayloadTests {
    @Test func stampRoundTripsAndPadsToSize() {
        var out: [UInt8] = []
        let stamp = Payload.Stamp(channel: 12, sequence: 3456, publishedNanos: 987_654_321_012)
        Payload.append(stamp, size: 100, to: &out)
        #expect(out.count == 100)
        #expect(out.withUnsafeBytes { Payload.parse($0) } == stamp)
    }

    @Test func sizeNeverCutsTheStamp() {
        var out: [UInt8] = []
        Payload.append(Payload.Stamp(channel: 0, sequence: 0, publishedNanos: 0), size: 1, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "#0,0,0;")
    }

    @Test func otherTextIsNotAStamp() {
        for text in ["[stream opened]", "nothing for now", "#1,2;", "#a,1,2;", "#1,2,3", ""] {
            #expect(Array(text.utf8).withUnsafeBytes { Payload.parse($0) } == nil)
        }
    }

    @Test func scheduleIsSequenceMajor() {
        let schedule = PublishSchedule(channels: 3, messages: 2)
        #expect(schedule.count == 6)
        #expect((0..<6).map { schedule.item(at: $0) } == [
            PublishItem(channel: 0, sequence: 0), PublishItem(channel: 1, sequence: 0), PublishItem(channel: 2, sequence: 0),
            PublishItem(channel: 0, sequence: 1), PublishItem(channel: 1, sequence: 1), PublishItem(channel: 2, sequence: 1),
        ])
    }

    @Test func ledgerCountsFirstDuplicateForeignAndLost() {
        var ledger = DeliveryLedger(subscribers: 2, messages: 70)
        let stamp = { (channel: Int, sequence: Int) in Payload.Stamp(channel: channel, sequence: sequence, publishedNanos: 1) }
        #expect(ledger.record(subscriber: 0, expectedChannel: 0, stamp: stamp(0, 65)) == .first)
        #expect(ledger.record(subscriber: 0, expectedChannel: 0, stamp: stamp(0, 65)) == .duplicate)
        #expect(ledger.record(subscriber: 0, expectedChannel: 0, stamp: stamp(1, 1)) == .foreign)
        #expect(ledger.record(subscriber: 0, expectedChannel: 0, stamp: stamp(0, 70)) == .foreign)
        #expect(ledger.record(subscriber: 1, expectedChannel: 1, stamp: stamp(1, 0)) == .first)
        #expect(ledger.firstDeliveries == 2 && ledger.duplicates == 1 && ledger.foreign == 2)
        #expect(ledger.lost(expectedEach: 70, counted: { _ in true }) == 69 + 69)
        #expect(ledger.lost(expectedEach: 70, counted: { $0 == 1 }) == 69)
    }

    @Test func targetURLParts() {
        let url = TargetURL("http://127.0.0.1:7999/stream?x=1")
        #expect(url == TargetURL(host: "127.0.0.1", port: 7999, path: "/stream", query: "x=1"))
        #expect(url?.requestTarget(addingQuery: "channel=a") == "/stream?x=1&channel=a")
        #expect(TargetURL("http://localhost")?.requestTarget(addingQuery: "") == "/")
        #expect(TargetURL("http://[::1]:80/p")?.hostHeader == "[::1]")
        #expect(TargetURL("https://x/") == nil)
        #expect(TargetURL("http://x:0/") == nil)
    }
}
