/// "42 seconds", "3 minutes", "1 hour": a Retry-After for people.
enum Wait {
    static func describe(_ seconds: Int) -> String {
        let seconds = max(1, seconds)
        if seconds < 90 { return seconds == 1 ? "1 second" : "\(seconds) seconds" }
        let minutes = (seconds + 59) / 60
        if minutes < 90 { return "\(minutes) minutes" }
        let hours = (minutes + 59) / 60
        return hours == 1 ? "1 hour" : "\(hours) hours"
    }
}
