import Testing

@testable import Shard

@Suite struct ClientTimeLimitTests {
    /// It sits in every client connection, a million of them on a big node.
    @Test func staysSmall() {
        #expect(MemoryLayout<ClientTimeLimit>.size <= 24)
    }

    @Test func aFirstLimitAsksForAnEntryAndExpiresAtItsDeadline() {
        var limit = ClientTimeLimit()
        #expect(limit.set(.header, deadlineNanos: 100) == 100)
        #expect(limit.kind == .header)
        #expect(limit.fired(token: limit.token, nowNanos: 100) == .expired(.header))
        #expect(limit.kind == nil)
    }

    /// A busy keep-alive connection moves its deadline later on every request; the entry
    /// already in the wheel covers that, and on firing early asks for one at the new deadline.
    @Test func aLaterDeadlineReusesTheEntryInFlight() {
        var limit = ClientTimeLimit()
        #expect(limit.set(.header, deadlineNanos: 100) == 100)
        let token = limit.token
        #expect(limit.set(.idle, deadlineNanos: 250) == nil)
        #expect(limit.set(.header, deadlineNanos: 180) == nil)
        #expect(limit.token == token)
        #expect(limit.fired(token: token, nowNanos: 100) == .reschedule(deadlineNanos: 180))
        #expect(limit.fired(token: token, nowNanos: 180) == .expired(.header))
    }

    @Test func anEarlierDeadlineNeedsANewEntryAndTheOldOneGoesStale() {
        var limit = ClientTimeLimit()
        #expect(limit.set(.idle, deadlineNanos: 600) == 600)
        let old = limit.token
        #expect(limit.set(.header, deadlineNanos: 300) == 300)
        #expect(limit.token != old)
        #expect(limit.fired(token: limit.token, nowNanos: 300) == .expired(.header))
        #expect(limit.fired(token: old, nowNanos: 600) == .none)
    }

    /// A cleared limit (request complete, connection held) never expires; its entry fires
    /// as nothing, and the next limit schedules afresh.
    @Test func aClearedLimitFiresAsNothing() {
        var limit = ClientTimeLimit()
        _ = limit.set(.body, deadlineNanos: 100)
        limit.clear()
        #expect(limit.fired(token: limit.token, nowNanos: 100) == .none)
        #expect(limit.set(.idle, deadlineNanos: 400) == 400)
        #expect(limit.fired(token: limit.token, nowNanos: 400) == .expired(.idle))
    }

    @Test func aClearedThenRenewedLimitKeepsTheEntryInFlight() {
        var limit = ClientTimeLimit()
        _ = limit.set(.header, deadlineNanos: 100)
        limit.clear()
        #expect(limit.set(.idle, deadlineNanos: 500) == nil)
        #expect(limit.fired(token: limit.token, nowNanos: 100) == .reschedule(deadlineNanos: 500))
    }

    @Test func bodyProgressExtendsTheDeadlineWithoutANewEntry() {
        var limit = ClientTimeLimit()
        _ = limit.set(.body, deadlineNanos: 100)
        limit.extend(to: 150)
        limit.extend(to: 120)  // never earlier
        #expect(limit.deadlineNanos == 150)
        #expect(limit.fired(token: limit.token, nowNanos: 100) == .reschedule(deadlineNanos: 150))
        #expect(limit.fired(token: limit.token, nowNanos: 150) == .expired(.body))
        limit.extend(to: 900)  // no limit in force: nothing to extend
        #expect(limit.kind == nil)
    }

    /// A new connection in the slot starts with no limit and no entry; an entry of the old
    /// connection that still fires changes nothing.
    @Test func resetForgetsTheLimitAndTheEntry() {
        var limit = ClientTimeLimit()
        _ = limit.set(.idle, deadlineNanos: 500)
        let old = limit.token
        limit.reset()
        #expect(limit.kind == nil)
        #expect(limit.set(.header, deadlineNanos: 800) == 800)
        #expect(limit.fired(token: old, nowNanos: 800) == .none)
        #expect(limit.fired(token: limit.token, nowNanos: 800) == .expired(.header))
    }
}
