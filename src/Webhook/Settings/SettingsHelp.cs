using System.Reflection;
using System.Text;

namespace Platform.Webhook.Settings;

/// <summary>What <c>--help</c> and <c>--version</c> print for the server.</summary>
internal static class SettingsHelp
{
    public static bool IsHelp(IReadOnlyList<string> args) => args is ["help", ..] || args.Any(a => a is "--help" or "-h" or "-?");

    public static bool IsVersion(IReadOnlyList<string> args) => args.Any(a => a is "--version");

    public static string Version =>
        typeof(SettingsHelp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(SettingsHelp).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static string Server()
    {
        var text = new StringBuilder();
        text.AppendLine("Usage:");
        text.AppendLine("  Platform.Webhook [--<setting>=<value>...]   serve admission over HTTPS (settings below)");
        text.AppendLine("  Platform.Webhook mutate|check-policy ...     offline commands (below)");
        text.AppendLine("  Platform.Webhook --help | --version");
        text.AppendLine();
        text.AppendLine("Settings (command line --Key=value, or environment Key with ':' written '__'):");
        var width = WebhookSettings.All.Max(s => s.Key.Length);
        foreach (var setting in WebhookSettings.All)
        {
            text.Append("  ").Append(setting.Key.PadRight(width)).Append("  ").Append(setting.Description)
                .Append(" Takes ").Append(setting.Expected).Append("; default ").Append(setting.Default).AppendLine(".");
        }

        text.Append("  .NET's own: ").Append(string.Join(", ", WebhookSettings.FrameworkKeys))
            .Append(", ").Append(string.Join(", ", WebhookSettings.FrameworkSections.Select(s => s + ":*"))).AppendLine(".");
        text.AppendLine("A setting not listed here, or a value of the wrong type, stops the start with every error listed.");
        return text.ToString();
    }
}
