namespace Platform.Webhook.Settings;

/// <summary>One configuration key the webhook reads: how it is spelled, what it takes, and its default, for the
/// start-up check and <c>--help</c>.</summary>
internal sealed record Setting(string Key, SettingKind Kind, string Default, string Description, IReadOnlyList<string>? AllowedValues = null)
{
    /// <summary>The values accepted, as an error message or <c>--help</c> writes them.</summary>
    public string Expected => Kind switch
    {
        SettingKind.Integer => "a whole number",
        SettingKind.Number => "a number",
        SettingKind.Choice => "one of " + string.Join(", ", AllowedValues ?? []),
        _ => "text",
    };
}
