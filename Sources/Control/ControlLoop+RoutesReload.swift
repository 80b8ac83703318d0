import Glibc
import Hub
import IOUring

/// Routes reloads: on SIGHUP, and when the routes file changes (inotify on its directory,
/// read through the ring, one second of quiet first as in Pushpin). A file that fails to
/// load keeps the routes in place; `reloadRoutes` logs why.
extension ControlLoop {
    func startRoutesWatch() {
        guard let path = configuration.routesFile, !path.isEmpty else { return }
        guard let watch = RoutesFileWatch(path: path) else {
            logger.warning("cannot watch \(path) for changes; reload the routes with SIGHUP")
            return
        }
        routesWatch = watch
        armRoutesWatch()
    }

    private func armRoutesWatch() {
        guard let routesWatch else { return }
        ring.prepareRead(
            fd: routesWatch.fd, into: routesWatch.buffer, count: RoutesFileWatch.bufferSize,
            userData: UserData(op: ControlOperation.routesWatch.rawValue, generation: 0, slot: 0))
    }

    func routesWatchRead(_ completion: Completion) {
        guard let routesWatch else { return }
        if completion.result > 0, routesWatch.touchesFile(count: Int(completion.result)) {
            routesReloadDueNanos = Clock.nowNanos() + RoutesFileWatch.debounceNanos
        }
        if completion.result < 0 && completion.result != -EINTR {
            logger.warning("routes file watch failed (errno \(-completion.result)); reload the routes with SIGHUP")
            self.routesWatch = nil
            return
        }
        armRoutesWatch()
    }

    func reloadRoutesIfDue() {
        guard let due = routesReloadDueNanos, now >= due else { return }
        routesReloadDueNanos = nil
        logger.info("routes file changed: reloading routes")
        reloadRoutesNow()
    }

    func reloadRoutesNow() {
        if let routing = reloadRoutes() {
            broadcaster.broadcast(.installRoutes(routing), ring: ring)
        }
    }
}
