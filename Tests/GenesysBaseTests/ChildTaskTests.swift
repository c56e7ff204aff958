import GenesysBase
import Testing

@Suite("A long-lived loop's calls in a child task")
struct ChildTaskTests {
    /// The point is another task (whose frames go when it ends), not just another call.
    @Test func test_inChildTask_runsTheBodyInAnotherTask_andReturnsItsResult() async {
        let outer = withUnsafeCurrentTask { $0?.hashValue }
        let (inner, value) = await inChildTask { (withUnsafeCurrentTask { $0?.hashValue }, 42) }
        #expect(value == 42)
        #expect(inner != nil)
        #expect(inner != outer)
    }

    /// A poll loop cancelled at shutdown cancels the collection it is waiting for.
    @Test func test_inChildTask_seesItsParentsCancellation() async {
        let task = Task<Bool, Never> {
            withUnsafeCurrentTask { $0?.cancel() }
            return await inChildTask { Task.isCancelled }
        }
        #expect(await task.value)
    }
}
