using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Platform.NodeAgent.Startup;

/// <summary>
/// Runs before anything starts: binds and validates every options class registered with
/// <c>ValidateOnStart</c>, then names every command-line key that nothing read. Generic by construction: a
/// new options class joins by being bound with <c>ValidateOnStart</c>, as every section of the agent is.
/// </summary>
internal static partial class ConfigurationCheck
{
    /// <summary>Keys .NET itself reads (DECISIONS 3): accepted as .NET defines them, never reported as unknown.</summary>
    private static readonly string[] FrameworkSections = ["Logging", "Kestrel"];

    private static readonly string[] FrameworkKeys = ["urls", "environment", "contentRoot", "AllowedHosts", "applicationName"];

    /// <summary>
    /// One pass. A value the binder cannot convert stops binding at that key (and the options cache keeps
    /// the failure), so the result then names that key alone: the caller masks it and builds again, until
    /// every bad value is known; then come the validation errors and the unknown keys.
    /// </summary>
    public static ConfigurationCheckResult Run(IServiceProvider services, ConfigurationReadTracker tracker, IEnumerable<string> commandLineKeys)
    {
        var problems = new List<string>();
        tracker.ForgetLastFound();
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            problems.AddRange(ex.Failures);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            problems.AddRange(ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures));
        }
        catch (InvalidOperationException ex) when (tracker.LastFound is { } found)
        {
            return new ConfigurationCheckResult([ConversionProblem(found.Key, found.Value, ex.Message)], found.Key);
        }

        problems.AddRange(UnknownKeys(tracker, commandLineKeys));
        return new ConfigurationCheckResult(problems, null);
    }

    private static string ConversionProblem(string key, string? value, string message)
    {
        var type = TargetType().Match(message) is { Success: true } match ? match.Groups[1].Value : null;
        var fix = type switch
        {
            "System.TimeSpan" => "a duration; use [d.]hh:mm:ss[.fff], e.g. 00:00:10 for ten seconds",
            "System.Boolean" => "a boolean; use true or false",
            "System.Int32" or "System.Int64" or "System.UInt32" or "System.UInt64" => "a whole number; use digits only, e.g. 10",
            "System.Double" or "System.Single" or "System.Decimal" => "a number; use digits with a '.' for decimals, e.g. 0.5",
            null => $"valid here ({message})",
            _ => $"a valid {type}",
        };
        return $"{key} is '{value}', which is not {fix}.";
    }

    private static IEnumerable<string> UnknownKeys(ConfigurationReadTracker tracker, IEnumerable<string> commandLineKeys)
    {
        var known = tracker.ReadKeys.Where(k => !IsFramework(k) && k.Contains(':', StringComparison.Ordinal)).ToList();
        // A section the binder looked at but found empty is read as a bare key. .NET's own bare keys
        // (urls, shutdownTimeoutSeconds, …) are camelCase; the agent's sections are PascalCase.
        var sections = known.Select(Section)
            .Concat(tracker.ReadKeys.Where(k => !k.Contains(':', StringComparison.Ordinal) && k.Length > 0 && char.IsUpper(k[0]) && !IsFramework(k)))
            .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var key in commandLineKeys)
        {
            if (IsFramework(key) || tracker.WasRead(key))
            {
                continue;
            }

            var section = Section(key);
            var inSection = known.Where(k => string.Equals(Section(k), section, StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.OrdinalIgnoreCase).ToList();
            yield return inSection.Count > 0 && key.Contains(':', StringComparison.Ordinal)
                ? $"--{key} is not a key the agent knows. Known keys in section {section}: {string.Join(", ", inSection)}."
                : $"--{key} is not a key the agent knows. Its sections are {string.Join(", ", sections)}; .NET's own keys are Logging:*, Kestrel:*, urls, environment, contentRoot and AllowedHosts.";
        }
    }

    private static string Section(string key) => key.Split(':')[0];

    private static bool IsFramework(string key) =>
        FrameworkKeys.Contains(key, StringComparer.OrdinalIgnoreCase)
        || FrameworkSections.Contains(Section(key), StringComparer.OrdinalIgnoreCase)
        || key.StartsWith("hostBuilder:", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("to type '([^']+)'")]
    private static partial Regex TargetType();
}
