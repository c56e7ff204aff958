import Testing

@testable import GenesysAPI
@testable import GenesysJSON

/// A queue page decodes from jansson's in-place document.
@Suite("Routing queues page")
struct RoutingQueuesPageTests {
    @Test func test_queuePageOf5000_decodes() throws {
        var text = #"{"entities":["#
        for index in 0..<5000 {
            if index > 0 { text += "," }
            text +=
                #"{"id":"q\#(index)","name":"Queue \#(index)","memberCount":\#(index % 17),"userMemberCount":1,"joinedMemberCount":\#(index % 5)}"#
        }
        text += #"],"pageSize":5000,"pageNumber":1,"total":5000,"pageCount":1}"#
        let page = try RoutingQueuesPage(JSONCursor(JSONParser.parse(text)))
        #expect(page.entities.count == 5000)
        #expect(
            page.entities[4999]
                == RoutingQueue(
                    id: "q4999", name: "Queue 4999", memberCount: 4999 % 17, userMemberCount: 1, joinedMemberCount: 4))
        #expect(page.total == 5000)
    }
}
