/// Runs `body` in a child task and returns its result. Swift's task allocator keeps the slabs a task's async frames
/// grew into for as long as the task lives: a long-lived loop (a collector's polls, a notification stream) that
/// makes API calls itself keeps their frames (about 9 KB a call) while it sleeps; heaptrack saw 146 KB per org in
/// the poll loops alone. A child task's slabs go when it ends.
package func inChildTask<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
    async let result = body()
    return await result
}
