extension AppServices {
    func dataExport(_ context: AppContext) -> DataExport {
        DataExport(repository: repositories.export(context.database))
    }

    func statistics(_ context: AppContext) -> SiteStatistics {
        SiteStatistics(repository: repositories.statistics(context.database))
    }
}
