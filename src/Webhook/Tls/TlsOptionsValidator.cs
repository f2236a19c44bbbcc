using Microsoft.Extensions.Options;

namespace Platform.Webhook.Tls;

/// <summary>Checks that both PEM files are named and readable before anything listens.</summary>
internal sealed class TlsOptionsValidator : IValidateOptions<TlsOptions>
{
    public ValidateOptionsResult Validate(string? name, TlsOptions options)
    {
        var errors = new List<string>();
        Check(options.CertFile, "Tls:CertFile", "the PEM certificate (tls.crt)", errors);
        Check(options.KeyFile, "Tls:KeyFile", "the PEM private key (tls.key)", errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(string? path, string key, string what, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{key} is required: set it to the path of {what}, e.g. --{key}=/tls/{(key.EndsWith("CertFile", StringComparison.Ordinal) ? "tls.crt" : "tls.key")}.");
            return;
        }

        try
        {
            using var stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            errors.Add($"{key} '{path}' cannot be read ({e.Message}); mount {what} there or fix the path.");
        }
    }
}
