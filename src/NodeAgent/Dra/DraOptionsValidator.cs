using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Platform.NodeAgent.Dra;

/// <summary>Checks <see cref="DraOptions"/> at start and lists every problem with the key to fix.</summary>
internal sealed partial class DraOptionsValidator : IValidateOptions<DraOptions>
{
    // sockaddr_un.sun_path is 108 bytes including the terminating NUL.
    private const int MaxSocketPathBytes = 107;

    public ValidateOptionsResult Validate(string? name, DraOptions options)
    {
        var errors = new List<string>();
        if (!IsDnsSubdomain(options.DriverName))
        {
            errors.Add($"Dra:DriverName is '{options.DriverName}'; use a lowercase DNS subdomain of at most 63 characters (the API's limit for driver names) such as {DraOptions.DefaultDriverName}.");
        }

        CheckDirectory("Dra:RegistryDirectory", options.RegistryDirectory, errors);
        if (options.PluginDirectory is not null)
        {
            CheckDirectory("Dra:PluginDirectory", options.PluginDirectory, errors);
        }

        CheckDirectory("Dra:CdiDirectory", options.CdiDirectory, errors);
        if (errors.Count == 0)
        {
            CheckSocketLength("Dra:RegistryDirectory and Dra:DriverName", options.RegistrationStagingSocketPath, errors);
            CheckSocketLength("Dra:PluginDirectory", options.PluginSocketPath, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>RFC 1123 subdomain of at most 63 characters, as resource.k8s.io validates driver names (DriverNameMaxLength).</summary>
    public static bool IsDnsSubdomain(string? value) =>
        value is { Length: > 0 and <= 63 } && DnsSubdomain().IsMatch(value);

    private static void CheckDirectory(string key, string? value, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value) || !Path.IsPathRooted(value))
        {
            errors.Add($"{key} is '{value}'; use an absolute directory path.");
        }
    }

    private static void CheckSocketLength(string keys, string path, List<string> errors)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(path) > MaxSocketPathBytes)
        {
            errors.Add($"{keys} make the socket path '{path}' longer than {MaxSocketPathBytes} bytes, which Unix sockets cannot bind; use shorter names.");
        }
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();
}
