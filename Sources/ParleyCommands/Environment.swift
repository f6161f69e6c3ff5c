import ArgumentParser
import FoundationEssentials
import Logging
import Web

/// Option values from flags first, then the environment, then defaults.
enum Environment {
    static var values: [String: String] { ProcessInfo.processInfo.environment }

    static func string(_ flag: String?, _ key: String) -> String? {
        if let flag { return flag }
        if let value = values[key], !value.isEmpty { return value }
        return nil
    }

    static func int(_ flag: Int?, _ key: String) throws -> Int? {
        if let flag { return flag }
        guard let text = values[key], !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw ValidationError("\(key) must be a whole number, got \"\(text)\".") }
        return value
    }
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical. [env: PARLEY_LOG_LEVEL] (default: info)")
    var logLevel: String?

    func bootstrapLogging() throws -> Logger {
        let text = Environment.string(logLevel, "PARLEY_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("Unknown log level \"\(text)\"; use trace, debug, info, notice, warning, error or critical.")
        }
        LoggingSystem.bootstrap { label in LogfmtLogHandler(label: label, level: level) }
        return Logger(label: "parley")
    }
}
