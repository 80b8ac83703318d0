import CLibUring

/// Thread placement helpers (GNU libc calls reached through the C shim).
public enum ThreadPlacement {
    /// Pins the calling thread to `cpu`; returns false when the kernel refuses (e.g. a cpuset).
    @discardableResult
    public static func pinCurrentThread(to cpu: Int) -> Bool { clu_pin_current_thread(Int32(cpu)) == 0 }

    /// Names the calling thread (at most 15 bytes are kept), as seen in `top -H` and debuggers.
    public static func nameCurrentThread(_ name: String) {
        var short = name
        while short.utf8.count > 15 { short.removeLast() }  // glibc refuses longer names outright
        _ = clu_set_thread_name(short)
    }

    /// CPUs this process may run on.
    public static var availableCPUs: Int { Int(clu_cpu_count()) }
}
