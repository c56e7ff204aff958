import CProcessControl
import Glibc

/// A named, detached OS thread running one closure: what Foundation's `Thread` did here, without Foundation.
enum DetachedThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Starts `body` on a new thread named `name` (the kernel keeps 15 bytes).
    static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(
            Body {
                gx_name_this_thread(name); body()
            }
        ).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(
            &thread, nil,
            { context in
                let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
                body.run()
                return nil
            }, context)
        precondition(created == 0, "pthread_create failed: \(created)")
        pthread_detach(thread)
    }
}
