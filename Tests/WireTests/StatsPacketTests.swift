import Testing

@testable import Wire

@Suite("Stats socket messages")
struct StatsPacketTests {
    func text(_ packet: StatsPacket, _ format: StatsFormat) -> String {
        String(decoding: packet.encode(format: format, from: "pushpind_7"), as: UTF8.self)
    }

    @Test func aConnectionInTnetstringIsTheTypeWordThenTAndADictionary() throws {
        let packet = StatsPacket.connected(id: "pushpind:0-3-1", type: .http, peerAddress: "127.0.0.1", ttl: 120)
        let bytes = packet.encode(format: .tnetstring, from: "pushpind_7")
        #expect(Array(bytes.prefix(6)) == Array("conn T".utf8))
        let value = try TnetstringDecoder.decode(Array(bytes.dropFirst(6)))
        #expect(value["from"]?.stringValue == "pushpind_7")
        #expect(value["id"]?.stringValue == "pushpind:0-3-1")
        #expect(value["type"]?.stringValue == "http")
        #expect(value["peer-address"]?.stringValue == "127.0.0.1")
        #expect(value["ttl"] == .int(120))
    }

    @Test func theSameMessageInJSON() {
        #expect(
            text(.disconnected(id: "c1"), .json)
                == #"conn J{"from":"pushpind_7","id":"c1","unavailable":true}"#)
        #expect(
            text(.subscribed(mode: .stream, channel: "news", ttl: 60, subscribers: 2), .json)
                == #"sub J{"from":"pushpind_7","mode":"stream","channel":"news","ttl":60,"subscribers":2}"#)
    }

    @Test func subscriptionsAndMessagesCarryPushpinsFields() {
        #expect(
            text(.unsubscribed(mode: .response, channel: "a"), .tnetstring)
                == "sub T75:4:from,10:pushpind_7,4:mode,8:response,7:channel,1:a,11:unavailable,4:true!}")
        #expect(
            text(.message(channel: "a", itemID: "i1", count: 3, transport: .httpStream), .json)
                == #"message J{"from":"pushpind_7","channel":"a","item-id":"i1","count":3,"transport":"http-stream"}"#)
        #expect(
            text(.message(channel: "a", itemID: nil, count: 1, transport: .wsMessage), .json)
                == #"message J{"from":"pushpind_7","channel":"a","count":1,"transport":"ws-message"}"#)
        #expect(text(.activity(count: 2), .json) == #"activity J{"from":"pushpind_7","count":2}"#)
        #expect(text(.counts(requestsReceived: 2), .json) == #"counts J{"from":"pushpind_7","requests-received":2}"#)
    }

    @Test func aConnectionAndActivityOnANamedRouteCarryItsID() {
        #expect(
            text(.connected(id: "c", type: .http, peerAddress: "127.0.0.1", route: "chat", ttl: 120), .json)
                == #"conn J{"from":"pushpind_7","id":"c","type":"http","peer-address":"127.0.0.1","route":"chat","ttl":120}"#)
        #expect(text(.activity(count: 1, route: "chat"), .json) == #"activity J{"from":"pushpind_7","count":1,"route":"chat"}"#)
        #expect(
            text(.activity(count: 1, route: "chat"), .tnetstring)
                == "activity T48:4:from,10:pushpind_7,5:count,1:1#5:route,4:chat,}")
    }

    @Test func aConnectionWithoutAPeerAddressLeavesTheFieldOut() {
        #expect(
            text(.connected(id: "c", type: .ws, peerAddress: "", ttl: 5), .json)
                == #"conn J{"from":"pushpind_7","id":"c","type":"ws","ttl":5}"#)
    }

    @Test func aReportCarriesItsCounters() {
        var report = StatsReport()
        report.connections = 4
        report.minutes = 1
        report.received = 2
        report.sent = 7
        report.httpResponseSent = 3
        report.durationMillis = 10_000
        #expect(
            text(.report(report), .json)
                == #"report J{"from":"pushpind_7","connections":4,"minutes":1,"received":2,"sent":7,"http-response-sent":3,"duration":10000}"#)
    }
}
