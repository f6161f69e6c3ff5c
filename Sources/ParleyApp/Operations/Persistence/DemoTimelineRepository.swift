/// Where the demo seed rewrites the times of the rows it has just created.
protocol DemoTimelineRepository {
    /// Moves the demo's conversations, messages, notifications and edits back to when
    /// `timeline` says they happened, in one transaction.
    func spread(_ timeline: DemoTimeline) throws
}
