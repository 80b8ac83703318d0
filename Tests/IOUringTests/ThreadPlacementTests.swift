import Glibc
import IOUring
import Testing

@Suite struct ThreadPlacementTests {
    /// The calling thread's /proc/thread-self file, first line without the newline.
    static func threadFile(_ name: String) -> String? {
        guard let file = fopen("/proc/thread-self/\(name)", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 1024)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        var text = String(cString: line)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// The CPU the calling thread last ran on (field 39 of /proc/thread-self/stat).
    static func currentCPU() -> Int? {
        guard let stat = threadFile("stat"), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 39 is fields[36].
        return fields.count > 36 ? Int(fields[36]) : nil
    }

    @Test func reportsAtLeastOneCPU() {
        let count = ThreadPlacement.availableCPUs
        #expect(count >= 1)
        #expect(count <= Int(sysconf(Int32(_SC_NPROCESSORS_CONF))))
    }

    @Test func pinsTheCallingThread() {
        // A thread of its own: pinning a shared test-runner thread would leak into other tests.
        let pinned = SharedBox<Bool?>(nil)
        let cpusAfter = SharedBox(0)
        let runningOn = SharedBox<Int?>(nil)
        let thread = JoinableThread(name: "pin-test") {
            pinned.value = ThreadPlacement.pinCurrentThread(to: 0)
            cpusAfter.value = ThreadPlacement.availableCPUs
            runningOn.value = Self.currentCPU()
        }
        #expect(thread.join(seconds: 10))
        #expect(pinned.value == true)
        #expect(cpusAfter.value == 1, "the affinity mask now holds one CPU")
        #expect(runningOn.value == 0)
    }

    @Test func refusesACPUOutsideTheMask() {
        let result = SharedBox<Bool?>(nil)
        let thread = JoinableThread(name: "pin-refused") {
            result.value = ThreadPlacement.pinCurrentThread(to: 1023)
        }
        #expect(thread.join(seconds: 10))
        #expect(result.value == false)
    }

    @Test func namesTheCallingThread() {
        let name = SharedBox<String?>(nil)
        let thread = JoinableThread(name: "unnamed") {
            ThreadPlacement.nameCurrentThread("shard-3")
            name.value = Self.threadFile("comm")
        }
        #expect(thread.join(seconds: 10))
        #expect(name.value == "shard-3")
    }

    @Test func longNameKeepsFirstFifteenBytes() {
        let name = SharedBox<String?>(nil)
        let thread = JoinableThread(name: "unnamed") {
            ThreadPlacement.nameCurrentThread("pushpind-shard-12")
            name.value = Self.threadFile("comm")
        }
        #expect(thread.join(seconds: 10))
        #expect(name.value == "pushpind-shard-")
    }
}
