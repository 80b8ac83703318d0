import Testing
@testable import Wire

/// The INI dialect of pushpin.conf, plus the small value forms (listen addresses, errors).
@Suite struct ConfigINITests {
    @Test func sectionsKeysAndComments() {
        let ini = INIFile.parse("""
        ; semicolon comment
        # hash comment
        top=level
        [global]
          include = {libdir}/internal.conf
        [ proxy ]
        sig_key=base64:abc=
        empty=
        quoted="  spaced value  "
        #commented=1
        debug=false
        debug=true
        """)
        #expect(ini.value("", "top") == "level")
        #expect(ini.value("global", "include") == "{libdir}/internal.conf")
        #expect(ini.value("proxy", "sig_key") == "base64:abc=")
        #expect(ini.value("proxy", "empty") == "")
        #expect(ini.value("proxy", "quoted") == "  spaced value  ")
        #expect(ini.value("proxy", "commented") == nil)
        #expect(ini.value("proxy", "debug") == "true")
        #expect(ini.value("handler", "x") == nil)
        #expect(ini.keyOrder.map { "\($0.section).\($0.name)" } == [
            ".top", "global.include", "proxy.sig_key", "proxy.empty", "proxy.quoted", "proxy.debug",
        ])
        #expect(ini.malformedLines.isEmpty)
    }

    @Test func sectionCanReopen() {
        let ini = INIFile.parse("[a]\nx=1\n[b]\ny=2\n[a]\nz=3\nx=4")
        #expect(ini.sections == ["a": ["x": "4", "z": "3"], "b": ["y": "2"]])
    }

    @Test func malformedLinesAreRecorded() {
        let ini = INIFile.parse("[ok]\njust words\n=novalue\n[broken\nk=v\r\nw=x")
        #expect(ini.malformedLines == [2, 3, 4])
        #expect(ini.value("ok", "k") == "v")
        #expect(ini.value("ok", "w") == "x")
    }

    @Test func valueKeepsEqualsSigns() {
        #expect(INIFile.parse("[h]\npush_in_http_key=base64:YQ==").value("h", "push_in_http_key") == "base64:YQ==")
    }

    @Test(arguments: [
        ("7999", ListenAddress(host: "0.0.0.0", port: 7999)),
        (" 127.0.0.1:8000 ", ListenAddress(host: "127.0.0.1", port: 8000)),
        ("[::]:80", ListenAddress(host: "::", port: 80)),
        ("[::1]:65535", ListenAddress(host: "::1", port: 65535)),
        ("localhost:1", ListenAddress(host: "localhost", port: 1)),
    ])
    func listenAddressParses(text: String, expected: ListenAddress) {
        #expect(ListenAddress.parse(text) == expected)
    }

    @Test(arguments: ["", "0", "65536", "abc", ":80", "1.2.3.4:", "::1:80", "[::1]", "[]:80", "[::1]80", "80a", "+80"])
    func listenAddressRejects(text: String) {
        #expect(ListenAddress.parse(text) == nil)
    }

    @Test func listenAddressDescription() {
        #expect(ListenAddress(host: "::", port: 80).description == "[::]:80")
        #expect(ListenAddress(host: "0.0.0.0", port: 7999).description == "0.0.0.0:7999")
    }

    @Test func configErrorDescriptions() {
        let value = ConfigError(key: "runner.client_buffer_size", value: "abc", reason: "expected a positive integer")
        #expect(value.description == #"invalid value for [runner] client_buffer_size: "abc" (expected a positive integer)"#)
        let file = ConfigError(file: "/etc/pushpin/pushpin.conf", reason: "Permission denied")
        #expect(file.description == "cannot read /etc/pushpin/pushpin.conf: Permission denied")
        #expect(file.kind == .unreadableFile)
    }

    @Test func logLevelForms() {
        #expect(ProxyConfig.parseLogLevel("3") == 3)
        #expect(ProxyConfig.parseLogLevel("proxy:3,handler:2") == 3)
        #expect(ProxyConfig.parseLogLevel("high") == nil)
        #expect(ProxyConfig.parseLogLevel("proxy:-1") == nil)
    }
}
