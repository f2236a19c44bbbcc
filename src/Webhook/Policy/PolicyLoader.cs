using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Webhook.Policy;

/// <summary>Reads a v1 GPU policy from YAML or JSON text, reporting every problem at once with its path.</summary>
internal static class PolicyLoader
{
    /// <summary>A ConfigMap holds at most 1 MiB, so a larger policy cannot come from one; refusing it before
    /// parsing keeps a stray file from costing hundreds of MiB and a busy core.</summary>
    public const int MaxBytes = 1024 * 1024;

    public static PolicyLoadResult Parse(string text)
    {
        if (text.Length > MaxBytes || System.Text.Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            return TooLarge(System.Text.Encoding.UTF8.GetByteCount(text));
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            return Fail($"not valid YAML or JSON at line {e.Start.Line}, column {e.Start.Column}: {reason}");
        }

        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
        {
            return Fail("the policy is empty; a policy starts with 'version: v1'");
        }

        if (stream.Documents.Count > 1)
        {
            return Fail($"the file holds {stream.Documents.Count} YAML documents; a policy is exactly one");
        }

        var errors = new List<PolicyError>();
        var policy = new PolicyReader(errors).ReadPolicy(stream.Documents[0].RootNode);
        return errors.Count == 0 ? new PolicyLoadResult(policy, []) : new PolicyLoadResult(null, errors);
    }

    public static PolicyLoadResult LoadFile(string path)
    {
        string text;
        try
        {
            if (new FileInfo(path).Length is var length and > MaxBytes)
            {
                return TooLarge(length);
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Fail($"cannot read policy file '{path}': {e.Message}");
        }

        return Parse(text);
    }

    internal static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>The one error for a policy over <see cref="MaxBytes"/>, however it is read.</summary>
    public static PolicyLoadResult TooLarge(long bytes) =>
        Fail($"the policy is {bytes} bytes; a policy may be at most {MaxBytes} bytes (1 MiB, what a ConfigMap holds)");

    private static PolicyLoadResult Fail(string message) => new(null, [new PolicyError(string.Empty, message)]);
}
