import Foundation
@testable import Shard
import Testing

/// How the https listeners pick and reload certificates (`<name>.crt` + `<name>.key`).
@Suite struct TLSCertificateStoreTests {
    static let keys = try! TicketKeys()

    @Test func exactNameThenOneLevelWildcardThenThePortsDefault() throws {
        let files = try TestCertificates()
        defer { files.remove() }
        try files.make("example.test", commonName: "example.test")
        try files.make("_.wild.test", commonName: "*.wild.test")
        try files.make("default_8443", commonName: "default.test")
        let store = TLSCertificateStore(directory: files.directory.path, ticketKeys: Self.keys)
        #expect(store.rescan().isEmpty)
        #expect(store.names == ["_.wild.test", "default_8443", "example.test"])

        let exact = try #require(store.context(serverName: "example.test", port: 8443))
        let wildcard = try #require(store.context(serverName: "a.wild.test", port: 8443))
        let fallback = try #require(store.context(serverName: nil, port: 8443))
        #expect(store.context(serverName: "EXAMPLE.test", port: 8443) === exact)
        #expect(wildcard !== exact && fallback !== exact && fallback !== wildcard)
        #expect(store.context(serverName: "b.a.wild.test", port: 8443) === fallback, "one level only")
        #expect(store.context(serverName: "wild.test", port: 8443) === fallback)
        #expect(store.context(serverName: "other.test", port: 8443) === fallback)
        #expect(store.context(serverName: "other.test", port: 9443) == nil, "another listener's default")
    }

    @Test func aChangedPairIsReloadedAndARemovedOneForgotten() throws {
        let files = try TestCertificates()
        defer { files.remove() }
        try files.make("example.test", commonName: "example.test")
        try files.make("gone.test", commonName: "gone.test")
        let store = TLSCertificateStore(directory: files.directory.path, ticketKeys: Self.keys, rescanNanos: 1_000)
        store.refreshIfDue(nowNanos: 0)
        let before = try #require(store.context(serverName: "example.test", port: 1))

        store.refreshIfDue(nowNanos: 10_000)
        #expect(store.context(serverName: "example.test", port: 1) === before, "unchanged files are not loaded again")

        try files.make("example.test", commonName: "example.test")
        try FileManager.default.removeItem(at: files.directory.appendingPathComponent("gone.test.key"))
        store.refreshIfDue(nowNanos: 10_500)
        #expect(store.context(serverName: "example.test", port: 1) === before, "not due yet")
        store.refreshIfDue(nowNanos: 20_000)
        #expect(store.context(serverName: "example.test", port: 1) !== before)
        #expect(store.context(serverName: "gone.test", port: 1) == nil)
    }

    @Test func aBrokenPairKeepsWhatItServedAndSaysWhy() throws {
        let files = try TestCertificates()
        defer { files.remove() }
        let paths = try files.make("example.test", commonName: "example.test")
        let store = TLSCertificateStore(directory: files.directory.path, ticketKeys: Self.keys)
        #expect(store.rescan().isEmpty)
        let before = try #require(store.context(serverName: "example.test", port: 1))

        try "not a certificate".write(toFile: paths.certificate, atomically: true, encoding: .utf8)
        let failures = store.rescan()
        #expect(failures.map(\.name) == ["example.test"])
        #expect(store.context(serverName: "example.test", port: 1) === before)
        #expect(store.rescan().isEmpty, "the same broken files are reported once")
    }
}
