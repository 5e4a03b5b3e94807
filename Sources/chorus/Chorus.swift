import ArgumentParser

@main
struct Chorus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chorus",
        abstract: "Stakeholder feedback and engagement for a school district.",
        subcommands: [
            Serve.self, Work.self, Migrate.self, TokenCommand.self, ImportCommand.self, ExportCommand.self, Demo.self,
            ScorecardCommand.self, ResultsCommand.self, RollupsCommand.self, PrivacyCommand.self, JobsCommand.self, Rescore.self, Score.self,
            Bench.self,
            SettingsCommand.self, StringsCommand.self, StaffCommand.self, AuditCommand.self, CasesCommand.self, UpdatesCommand.self,
            BackupCommand.self, RestoreCommand.self,
        ]
    )
}
