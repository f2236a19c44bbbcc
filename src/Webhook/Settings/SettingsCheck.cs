using System.Globalization;
using Microsoft.Extensions.Configuration.CommandLine;

namespace Platform.Webhook.Settings;

/// <summary>
/// Checks the configuration against <see cref="WebhookSettings"/> before anything binds it: unknown keys and
/// values of the wrong type are errors, listed with the expected values. A value of the wrong type is removed
/// from the configuration, so the binder (which would throw on the first one and hide the rest) leaves the
/// default and the options validators still report their own errors in the same list.
/// </summary>
internal static class SettingsCheck
{
    public static IReadOnlyList<string> Run(IConfiguration configuration, IReadOnlyList<string> args)
    {
        var errors = new List<string>();
        var known = WebhookSettings.All.ToDictionary(s => s.Key, StringComparer.OrdinalIgnoreCase);
        foreach (var key in UnknownKeys(configuration, args, known))
        {
            errors.Add($"unknown setting '{key}'; the webhook's settings are {string.Join(", ", WebhookSettings.All.Select(s => s.Key))} (and .NET's own: {string.Join(", ", WebhookSettings.FrameworkKeys)}, {string.Join(", ", WebhookSettings.FrameworkSections.Select(s => s + ":*"))}).");
        }

        foreach (var setting in WebhookSettings.All)
        {
            var value = configuration[setting.Key];
            if (value is null || IsValid(setting, value))
            {
                continue;
            }

            errors.Add($"{setting.Key} '{value}' is not {setting.Expected} (default {setting.Default}).");
            configuration[setting.Key] = null;
        }

        return errors;
    }

    public static bool IsValid(Setting setting, string value) => setting.Kind switch
    {
        SettingKind.Integer => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        SettingKind.Number => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number),
        SettingKind.Choice => setting.AllowedValues!.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase),
        _ => true,
    };

    private static IEnumerable<string> UnknownKeys(IConfiguration configuration, IReadOnlyList<string> args, Dictionary<string, Setting> known)
    {
        // Every key under the project's own sections, from any source (a misspelt environment variable too).
        var own = WebhookSettings.OwnSections
            .SelectMany(section => configuration.GetSection(section).AsEnumerable())
            .Where(pair => pair.Value is not null)
            .Select(pair => pair.Key);

        // Every key given on the command line: there nothing but the webhook's and .NET's own keys has a meaning.
        var commandLine = new CommandLineConfigurationProvider(args);
        commandLine.Load();
        var typed = LeafKeys(commandLine, null);

        return own.Concat(typed)
            .Where(key => !known.ContainsKey(key) && !IsFramework(key))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal);
    }

    private static bool IsFramework(string key) =>
        WebhookSettings.FrameworkKeys.Contains(key, StringComparer.OrdinalIgnoreCase)
        || WebhookSettings.FrameworkSections.Any(section =>
            key.StartsWith(section + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase)
            || key.Equals(section, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> LeafKeys(CommandLineConfigurationProvider provider, string? parent)
    {
        foreach (var child in provider.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var key = parent is null ? child : ConfigurationPath.Combine(parent, child);
            if (provider.TryGet(key, out _))
            {
                yield return key;
            }

            foreach (var leaf in LeafKeys(provider, key))
            {
                yield return leaf;
            }
        }
    }
}
