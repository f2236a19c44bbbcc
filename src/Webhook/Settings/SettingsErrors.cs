namespace Platform.Webhook.Settings;

/// <summary>The errors <see cref="SettingsCheck"/> found before binding, handed to the start-up validation so
/// that they are listed together with every options validator's errors.</summary>
internal sealed class SettingsErrors
{
    public IReadOnlyList<string> Errors { get; set; } = [];
}
