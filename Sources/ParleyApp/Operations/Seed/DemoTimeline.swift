import FoundationEssentials

/// When the demo's conversations, messages and edits happened, in minutes before now.
struct DemoTimeline {
    var conversations: [(UUID, Int)] = []
    var messages: [(UUID, Int)] = []
    var edits: [(UUID, Int)] = []
}
