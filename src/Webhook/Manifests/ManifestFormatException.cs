namespace Platform.Webhook.Manifests;

/// <summary>A manifest that cannot be read: the message names the source and, where known, the line and column.</summary>
internal sealed class ManifestFormatException : Exception
{
    public ManifestFormatException(string source, long line, long column, string reason)
        : base(line > 0 ? $"{source}:{line}:{column}: {reason}" : $"{source}: {reason}")
    {
        Source = source;
        Line = line;
        Column = column;
        Reason = reason;
    }

    public new string Source { get; }

    /// <summary>1-based line, 0 when unknown.</summary>
    public long Line { get; }

    /// <summary>1-based column, 0 when unknown.</summary>
    public long Column { get; }

    public string Reason { get; }
}
