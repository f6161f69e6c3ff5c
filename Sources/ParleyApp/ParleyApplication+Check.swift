extension ParleyApplication {
    /// What `build` would fail on at start-up, as an error instead of a crash (`serve --check`):
    /// the page templates (and the bench's, when enabled) must load and parse.
    public static func check(configuration: AppConfiguration) throws {
        let templates = try TemplateLibrary()
        try templates.require(Pages.templateNames)
        if configuration.benchRoutes { try templates.require([BenchController.templateName]) }
    }
}
