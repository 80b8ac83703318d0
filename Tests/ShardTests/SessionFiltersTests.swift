import Testing
import Wire

@testable import Shard

@Suite struct SessionFiltersTests {
    /// Only a hold with a known filter gets filter state; the others stay on the shared path.
    @Test func aHoldWithoutKnownFiltersHasNone() {
        let plain = GripInstruction(hold: .stream, channels: [GripChannel(name: "a"), GripChannel(name: "b", filters: ["http-check"])],
                                    response: GripResponse(status: 200, reason: "OK"))
        #expect(SessionFilters.of(plain, prefix: "p-") == nil)
    }

    @Test func channelsKeepTheirNamesFiltersAndTheMetaIDsComeFromThePositions() throws {
        let instruction = GripInstruction(
            hold: .stream,
            channels: [GripChannel(name: "events-a", prevID: "4", filters: ["build-id", "skip-users"]), GripChannel(name: "user-1")],
            meta: [GripMetaEntry("user", "1"), GripMetaEntry("id_format", "%(events-a)s")], response: GripResponse(status: 200, reason: "OK"))
        let filters = try #require(SessionFilters.of(instruction, prefix: "p-"))
        #expect(filters.channels.map(\.subscribedName) == ["p-events-a", "p-user-1"])
        #expect(filters.index(of: "p-user-1") == 1 && filters.index(of: "user-1") == nil)
        #expect(filters.channels[0].contentFilterNames == ["build-id"])
        #expect(filters.channels[1].filters.isEmpty)
        let positions = ChannelPositions([.init(channel: "p-events-a", lastID: "4"), .init(channel: "p-user-1", lastID: nil)])
        let context = filters.context(publishMeta: ["sender": "x"], positions: positions)
        #expect(context.channels.map(\.name) == ["events-a", "user-1"], "filters see the names the backend used")
        #expect(context.channels.map(\.id) == ["4", nil])
        #expect(GripFilterStack.apply([.buildID], to: Array("%I".utf8), context) == .send(Array("4".utf8)))
    }
}
